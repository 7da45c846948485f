"""What every browser journey shares: logging in and out, a phone-sized page, the sideways-scroll check.

The browser itself (Debian's Chromium through Playwright) and the desktop ``page`` come from
tests/conftest.py. Helpers are fixtures that return a function, so journeys ask for what they use.
"""

import re
import shutil

import pytest

PASSWORD = "pw-for-tests"  # tests.factories.UserFactory's password
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def log_in():
    def log_in(page, username, password=PASSWORD, *, button="Log in"):
        """Log in through the site's form and wait until the page shows the signed-in navigation."""
        page.goto("/en/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name=button).click()
        page.locator("form[action*=logout] button").wait_for()

    return log_in


@pytest.fixture
def confirm_signup(mailoutbox):
    def confirm_signup(page):
        """After the sign-up form: open the mailed link and create the account (signed in, on the welcome page)."""
        page.wait_for_url("**/accounts/signup/sent/")  # "Check your inbox": the mail has gone
        (link,) = re.findall(r"https?://\S+/accounts/signup/confirm/\S+/", mailoutbox[-1].body)
        page.goto(link)
        page.locator("main form button[type=submit]").click()
        page.locator("form[action*=logout] button").wait_for()

    return confirm_signup


@pytest.fixture
def csp_violations(page):
    """What the browser refused under the Content-Security-Policy (its console errors say so), in order."""
    refused = []

    def record(message):
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    page.on("console", record)
    return refused


@pytest.fixture
def log_out():
    def log_out(page):
        page.locator("form[action*=logout] button").click()
        page.locator("a[href*=login]").first.wait_for()

    return log_out


@pytest.fixture
def phone(browser, live_server):
    """A page 375 px wide, the smallest phone the site is made for."""
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def assert_fits_phone():
    def assert_fits_phone(page, what="the page"):
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{what} scrolls sideways at {PHONE['width']} px ({width} px wide)"

    return assert_fits_phone


@pytest.fixture
def load_curriculum(tmp_path):
    """Load part of the demo curriculum (languages × courses), indexed: indexing all of it takes minutes."""
    from lessons.curriculum.loader import load_demo_curriculum
    from lessons.curriculum.reader import CURRICULUM_ROOT

    def load(languages=("en",), courses=None):
        root = tmp_path / "curriculum"
        for language in languages:
            for course in sorted((CURRICULUM_ROOT / language).iterdir()):
                if course.is_dir() and (courses is None or course.name in courses):
                    shutil.copytree(course, root / language / course.name)
            shutil.copy(CURRICULUM_ROOT / language / "site.toml", root / language / "site.toml")
        load_demo_curriculum(root)

    return load
