"""Browser journey: a teacher edits a lesson and submits it for review; an editor approves; it is live."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from lessons.authoring.roles import AuthoringGroup
from lessons.models import LessonPage
from tests.browser.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NEW_SUMMARY = "Find out where you already meet AI, and why most of it is invisible."


def make_user(username, group):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", f"{username}-pw-2026")
    user.groups.add(Group.objects.get(name=group))


def log_in_to_admin(page, username):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f"{username}-pw-2026")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/")


def log_out_of_admin(page, username):
    page.get_by_role("button", name=username, exact=True).click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/admin/login/**")


def test_teacher_edits_and_submits_editor_approves_change_goes_live(page, assert_fits_phone, load_curriculum):
    load_curriculum(indexed=False)  # the English courses, as the catalogue check below reads them
    lesson = LessonPage.objects.get(slug="what-ai-is-and-is-not", locale__language_code="en")
    old_summary = lesson.summary
    make_user("tess", AuthoringGroup.TEACHERS)
    make_user("eddie", AuthoringGroup.EDITORS)

    log_in_to_admin(page, "tess")
    page.goto(f"/admin/pages/{lesson.pk}/edit/")
    page.get_by_role("textbox", name="Summary").fill(NEW_SUMMARY)
    page.get_by_role("button", name="More actions").click()
    assert page.get_by_role("button", name="Publish", exact=True).count() == 0
    page.get_by_role("button", name="Submit to Lesson review").click()
    page.get_by_text("has been submitted for moderation").wait_for()
    log_out_of_admin(page, "tess")

    page.goto(lesson.url)
    assert page.locator(".lesson__summary").inner_text() == old_summary

    log_in_to_admin(page, "eddie")
    page.goto(f"/admin/pages/{lesson.pk}/edit/")
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Approve and Publish", exact=True).click()
    page.get_by_text(f"Page '{lesson.title}' has been updated.").wait_for()
    log_out_of_admin(page, "eddie")

    page.goto(lesson.url)
    assert page.locator(".lesson__summary").inner_text() == NEW_SUMMARY
    live = LessonPage.objects.get(pk=lesson.pk)
    assert live.summary == NEW_SUMMARY and not live.has_unpublished_changes

    check_catalogue_at_phone_width(page, assert_fits_phone)


def check_catalogue_at_phone_width(page, assert_fits_phone):
    """What `make run` shows: the demo catalogue, filterable and without sideways scrolling at 375 px.

    Part of the journey test (not a test of its own) so the loaded curriculum is built once.
    """
    page.set_viewport_size(PHONE)
    page.goto("/")
    page.locator(".audience--students").get_by_role("link", name="Browse courses").click()
    page.wait_for_url("**/courses/?audience=students")
    assert page.locator(".catalogue__list .card__title").all_inner_texts() == ["AI basics"]

    page.goto("/en/courses/")
    assert page.locator(".catalogue__list .card__title").all_inner_texts() == [
        "AI basics",
        "Teaching with AI",
        "AI at work",
    ]
    page.get_by_label("Audience").select_option("teachers")
    page.get_by_role("button", name="Show courses").click()
    page.wait_for_url("**/courses/?audience=teachers**")
    assert page.locator(".catalogue__list .card__title").all_inner_texts() == ["Teaching with AI"]
    assert page.locator(".catalogue__count").inner_text() == "1 course found"

    page.goto("/en/courses/ai-basics/what-ai-is-and-is-not/")
    page.get_by_role("link", name="A working definition").click()
    assert page.url.endswith("#a-working-definition")
    assert_fits_phone(page, "the lesson page")
