"""A teacher on a phone follows up a flagged tutor conversation; the admin then sees the reading logged."""

import pytest

from lessons.models import Membership
from tests.tutor.oversight_factories import GroupFactory, OrganisationFactory, member, org_admin, question
from tutor.oversight import screen_message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def log_in(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("pw-for-tests")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()


def fits_the_screen(page):
    return page.evaluate("document.documentElement.scrollWidth") <= 375


def test_teacher_reviews_a_flag_and_admin_sees_the_access_log(browser, live_server):
    school = OrganisationFactory(name="Tamme School")
    group = GroupFactory(organisation=school, name="9B")
    teacher = member(group, Membership.Role.TEACHER)
    learner = member(group)
    admin = org_admin(school)
    screen_message(question(learner, "Nobody likes me, I want to die"))

    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 740})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        log_in(page, teacher)
        page.get_by_role("link", name="Tutor oversight").click()
        page.get_by_role("link", name="flagged conversations").click()
        row = page.get_by_role("row").filter(has_text="Self-harm")
        assert learner.get_full_name() in row.inner_text()
        assert fits_the_screen(page)

        row.get_by_role("link").click()
        page.get_by_text("Nobody likes me, I want to die").wait_for()
        assert page.get_by_text("Your reading of this conversation has been logged").is_visible()
        assert fits_the_screen(page)

        page.go_back()
        page.get_by_role("button", name="Mark as reviewed").click()
        page.get_by_role("status").filter(has_text="Marked the self-harm flag as reviewed.").wait_for()
        assert page.get_by_role("button", name="Mark as reviewed").count() == 0

        page.get_by_role("button", name="Log out").click()
        log_in(page, admin)
        page.goto(f"/tutor/oversight/{school.slug}/")
        page.get_by_role("link", name="Access log").click()
        entry = page.get_by_role("row").filter(has_text=teacher.get_full_name())
        assert learner.get_full_name() in entry.inner_text()
        assert fits_the_screen(page)
    finally:
        context.close()
