"""What every browser journey shares: logging in and out, a phone-sized page, the sideways-scroll check.

The browser itself (Debian's Chromium through Playwright) and the desktop ``page`` come from
tests/conftest.py. Helpers are fixtures that return a function, so journeys ask for what they use.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="package")
def browser():
    """One Chromium for the browser journeys, closed when they are done.

    Playwright's sync API runs an event loop in this thread while it is open. Package scope ends it
    with this package, so the tests after it can run async code (the tutor's async endpoint) here.
    Django's ORM calls in the journeys stay synchronous, so Django is told they are safe meanwhile.
    """
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed (make test installs Debian's chromium).")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM),
                args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    browser_page = context.new_page()
    yield browser_page
    context.close()


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
def load_curriculum(tmp_path, monkeypatch):
    """Load part of the demo curriculum (languages × courses); indexed for the tutor unless ``indexed=False``.

    Indexing embeds every chunk with the local model, over a minute for the English courses on this
    CPU: journeys that never ask the tutor skip it.
    """
    from lessons.curriculum.loader import load_demo_curriculum
    from lessons.curriculum.reader import CURRICULUM_ROOT

    def load(languages=("en",), courses=None, indexed=True):
        root = tmp_path / "curriculum"
        for language in languages:
            for course in sorted((CURRICULUM_ROOT / language).iterdir()):
                if course.is_dir() and (courses is None or course.name in courses):
                    shutil.copytree(course, root / language / course.name)
            shutil.copy(CURRICULUM_ROOT / language / "site.toml", root / language / "site.toml")
        if not indexed:
            from tutor.indexing import signal_handlers

            monkeypatch.setattr(signal_handlers, "queue_index", lambda page_ids: None)
        load_demo_curriculum(root)

    return load
