"""A class from start to finish in a real browser, then a business admin's training-record export.

Joining the class enrols the student in its assigned course; they complete the lesson through the
real lesson UI (quiz form over htmx); the export runs as a Celery task on a real worker while the
page polls its progress.
"""

import csv
import datetime
import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from lessons.models import Membership, Organisation
from tests import factories as pages
from tests.factories import GroupFactory, assign, complete_lesson, course_with_lessons, member, org_admin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_teacher_runs_a_class_and_sees_the_student_complete_a_lesson(page, log_in, log_out):
    school = Organisation.objects.create(name="Tallinn Demo School", slug="tallinn", kind="school")
    teacher = pages.UserFactory(username="teacher", first_name="Tom", last_name="Teacher")
    Membership.objects.create(user=teacher, organisation=school, role=Membership.Role.TEACHER)
    pages.UserFactory(username="student", first_name="Sam", last_name="Student")
    course_with_lessons(title="AI basics", slug="ai-basics")
    due = datetime.date.today() + datetime.timedelta(days=14)

    log_in(page, "teacher")
    page.get_by_role("link", name="My classes").click()
    page.get_by_role("link", name="Create a class", exact=True).click()
    page.get_by_label("Name of the class").fill("Class 9B")
    page.get_by_role("button", name="Create").click()
    page.get_by_role("heading", name="Class 9B", level=1).wait_for()
    code = page.get_by_test_id("join-code").inner_text()

    page.get_by_role("combobox", name="Course").select_option(label="AI basics")
    page.get_by_label("Due date (optional)").fill(due.isoformat())
    page.get_by_role("button", name="Assign").click()
    assert page.get_by_text(f"Assigned AI basics to Class 9B, due {due:%d %b %Y}.").is_visible()
    log_out(page)

    log_in(page, "student")
    page.get_by_role("link", name="Join a class or team", exact=True).click()
    page.get_by_label("Join code").fill("NOTACODE")
    page.get_by_role("button", name="Join").click()
    assert page.get_by_role("alert").filter(has_text="does not match any class").is_visible()
    page.get_by_label("Join code").fill(code.lower())
    page.get_by_role("button", name="Join").click()
    page.get_by_text("You joined Class 9B at Tallinn Demo School.").wait_for()

    page.goto("/en/learn/dashboard/")
    assert page.get_by_text("You are not enrolled in a course yet").count() == 0, "joining enrolled the student"
    assignments = page.locator(".org-assignments")
    assert "AI basics" in assignments.inner_text() and f"Due {due.day} {due:%b %Y}" in assignments.inner_text()
    assert "not started" in assignments.inner_text()
    assignments.get_by_role("link", name="AI basics").click()
    page.get_by_role("link", name="Start: What AI is").click()
    page.get_by_role("heading", name="What AI is", level=1).wait_for()
    page.get_by_label("A chatbot").check()
    page.get_by_role("button", name="Submit answers").click()
    page.get_by_text("Passed!").wait_for()
    log_out(page)

    log_in(page, "teacher")
    page.get_by_role("link", name="My classes").click()
    page.get_by_role("link", name="Class 9B").click()
    row = page.get_by_role("row", name="Sam Student")
    first_lesson = row.locator("td").first
    assert first_lesson.get_attribute("data-done") == "yes"
    assert "100%" in first_lesson.inner_text() and "1 attempt" in first_lesson.inner_text()
    assert row.locator("td").nth(1).get_attribute("data-done") == "no"
    assert row.get_by_test_id("course-status").inner_text() == "1 of 2 lessons done"
    assert page.get_by_text("Completed by 0 of 1 learner (0%).").is_visible()

    row.get_by_role("link", name="Sam Student").click()
    page.get_by_role("heading", name="Sam Student", level=1).wait_for()


@pytest.fixture
def business(transactional_db):
    """Built before the worker starts (fixture order): publishing the course pages indexes them eagerly
    here, so no tutor task is left running on the worker when the test ends."""
    team = GroupFactory(
        name="Customer Service Team", organisation__name="Northwind Demo Ltd", organisation__kind="business"
    )
    org_admin(team.organisation, username="manager", first_name="Maria", last_name="Manager")
    course, lessons = course_with_lessons(title="AI at work", slug="ai-at-work")
    assign(team, course, due_date=datetime.date(2030, 3, 31))
    done = member(team, username="dana", first_name="Dana", last_name="Done")
    for lesson in lessons:
        complete_lesson(done, lesson, score=90)
    member(team, username="nick", first_name="Nick", last_name="New")
    return team


@pytest.mark.celery_worker
def test_business_admin_exports_the_training_record_with_progress(page, business, celery_worker, log_in):
    log_in(page, "manager")
    page.get_by_role("link", name="My teams").click()
    page.get_by_role("link", name="Northwind Demo Ltd").click()
    assert page.get_by_role("row", name="AI at work").inner_text().split() == ["AI", "at", "work", "2", "1", "50%"]
    page.get_by_role("button", name="Prepare export in the background").click()

    page.get_by_role("heading", name="Training record export").wait_for()
    assert page.get_by_role("progressbar", name="Export progress").count() == 1
    download_link = page.get_by_role("link", name="Download the training record (CSV)")
    download_link.wait_for(timeout=30_000)  # appears when htmx polling sees the worker finish
    assert page.get_by_role("progressbar").get_attribute("aria-valuenow") == "100"
    assert page.get_by_text("2 of 2 rows").is_visible()
    with page.expect_download() as download_info:
        download_link.click()
    rows = list(csv.DictReader(io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8"))))
    assert [(r["staff member"], r["team"], r["course"], r["due"], r["best quiz score (%)"]) for r in rows] == [
        ("Dana Done", "Customer Service Team", "AI at work", "2030-03-31", "90"),
        ("Nick New", "Customer Service Team", "AI at work", "2030-03-31", ""),
    ]
    assert rows[0]["completed"] == datetime.date.today().isoformat() and rows[1]["completed"] == ""
    assert get_user_model().objects.get(username="manager").memberships.get().role == "admin"


def test_the_class_page_fits_a_small_phone(phone, log_in, assert_fits_phone):
    group = GroupFactory(name="Class 9B")
    course, _ = course_with_lessons(
        title="AI basics", slug="ai-basics", lesson_titles=[f"A rather long lesson title number {n}" for n in range(6)]
    )
    assign(group, course, due_date=datetime.date(2030, 1, 1))
    member(group, username="teacher", role=Membership.Role.TEACHER)
    member(group, username="a-learner-with-a-long-username", first_name="Alexandra", last_name="Longname")
    log_in(phone, "teacher")
    phone.goto(f"/en/learn/org/groups/{group.pk}/")
    phone.get_by_role("heading", name="Class 9B", level=1).wait_for()
    assert_fits_phone(phone, "the class page")
