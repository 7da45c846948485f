"""A teacher on a phone follows up a flagged tutor conversation; the admin and the learner then see the reading."""

import pytest

from lessons.models import Membership
from tests.factories import GroupFactory, OrganisationFactory, member, org_admin, question
from tutor.oversight.safety import screen_message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_teacher_reviews_a_flag_and_admin_sees_the_access_log(phone, log_in, log_out, assert_fits_phone):
    school = OrganisationFactory(name="Tamme School")
    group = GroupFactory(organisation=school, name="9B")
    teacher = member(group, Membership.Role.TEACHER)
    learner = member(group)
    admin = org_admin(school)
    screen_message(question(learner, "Nobody likes me, I want to die"))

    page = phone
    log_in(page, teacher.username)
    page.get_by_role("link", name="Tutor oversight").click()
    page.get_by_role("link", name="flagged conversations").click()
    row = page.get_by_role("row").filter(has_text="Self-harm")
    assert learner.get_full_name() in row.inner_text()
    assert_fits_phone(page)

    row.get_by_role("link").click()
    page.get_by_text("Nobody likes me, I want to die").wait_for()
    assert page.get_by_text("Your reading of this conversation has been logged").is_visible()
    assert_fits_phone(page)

    page.go_back()
    page.get_by_role("button", name="Mark as reviewed").click()
    page.get_by_role("status").filter(has_text="Marked the self-harm flag as reviewed.").wait_for()
    assert page.get_by_role("button", name="Mark as reviewed").count() == 0

    log_out(page)
    log_in(page, admin.username)
    page.goto(f"/en/tutor/oversight/{school.slug}/")
    page.get_by_role("link", name="Access log").click()
    entry = page.get_by_role("row").filter(has_text=teacher.get_full_name())
    assert learner.get_full_name() in entry.inner_text()
    assert_fits_phone(page)

    log_out(page)
    log_in(page, learner.username)
    page.goto("/en/learn/dashboard/")
    page.get_by_role("link", name="See who read them").click()
    reading = page.get_by_role("row").filter(has_text=teacher.get_full_name())
    assert "Tamme School" in reading.inner_text()
    assert_fits_phone(page)
