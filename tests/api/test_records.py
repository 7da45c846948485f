"""Progress, completions and the training record of the organisation's members, with the reports' definitions."""

import datetime

import pytest
from django.utils import timezone

from lessons.models import AnonymisedTrainingRecord, Assignment, Certificate, LessonProgress, Membership
from tests.factories import GroupFactory, assign, complete_lesson, course_with_lessons, member, quiz_attempt

pytestmark = pytest.mark.django_db
LONG_AGO = timezone.now() - datetime.timedelta(days=30)


@pytest.fixture
def classroom(class_9b):
    """Class 9B with one course of two lessons assigned; Mari finished it, Jaan read the first lesson."""
    course_page, lessons = course_with_lessons()
    assign(class_9b, course_page, due_date=datetime.date(2020, 1, 1))
    mari = member(class_9b, username="mari", first_name="Mari", last_name="Maasikas")
    jaan = member(class_9b, username="jaan")
    for lesson in lessons:
        complete_lesson(mari, lesson, score=90, when=LONG_AGO)
    LessonProgress.objects.create(user=jaan, lesson=lessons[0], first_read_at=LONG_AGO, last_visited_at=LONG_AGO)
    certificate = Certificate.objects.create(
        user=mari, course=course_page, learner_name="Mari", course_title="AI basics"
    )
    # Nothing about them changed lately, as far as the sync is concerned.
    Assignment.objects.update(updated_at=LONG_AGO)
    Membership.objects.update(updated_at=LONG_AGO)
    quizzes = mari.quiz_attempts.all()
    quizzes.update(submitted_at=LONG_AGO)
    return {"course": course_page, "lessons": lessons, "mari": mari, "jaan": jaan, "certificate": certificate}


def by_member(response):
    assert response.status_code == 200, response.content
    return {row["member"]["username"]: row for row in response.json()["items"]}


def test_progress_says_where_each_learner_stands_on_each_assigned_course(api, read_key, classroom, class_9b):
    rows = by_member(api("get", "/progress", read_key))
    mari, jaan = rows["mari"], rows["jaan"]
    assert mari["member"]["name"] == "Mari Maasikas" and mari["group"] == {"id": class_9b.pk, "name": "Class 9B"}
    assert mari["course"] == {"id": classroom["course"].pk, "title": "AI basics", "locale": "en"}
    assert (mari["lessons_done"], mari["lessons_total"], mari["started"], mari["overdue"]) == (2, 2, True, False)
    assert mari["completed_at"] and mari["best_quiz_score"] == 90
    assert mari["certificate_code"] == classroom["certificate"].code
    assert (jaan["lessons_done"], jaan["started"], jaan["completed_at"], jaan["overdue"]) == (0, True, None, True)
    assert jaan["certificate_code"] == "" and jaan["best_quiz_score"] is None

    completions = api("get", "/completions", read_key).json()
    assert [row["member"]["username"] for row in completions["items"]] == ["mari"] and completions["count"] == 1
    assert list(by_member(api("get", "/progress", read_key, completed="false"))) == ["jaan"]


def test_progress_syncs_by_the_latest_change_of_each_row(api, read_key, classroom):
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert by_member(api("get", "/progress", read_key, updated_since=since)) == {}

    quiz_attempt(classroom["jaan"], classroom["lessons"][1], score=40)  # Jaan tries a quiz today
    changed = by_member(api("get", "/progress", read_key, updated_since=since))
    assert list(changed) == ["jaan"]
    assert changed["jaan"]["updated_at"] >= since
    assert api("get", "/completions", read_key, updated_since=since).json()["count"] == 0


def test_progress_of_one_group(api, read_key, classroom, school):
    other = GroupFactory(organisation=school, name="Class 9C")
    assign(other, classroom["course"])
    member(other, username="kati")
    assert set(by_member(api("get", "/progress", read_key))) == {"mari", "jaan", "kati"}
    assert set(by_member(api("get", "/progress", read_key, group_id=other.pk))) == {"kati"}


def test_the_training_record_has_the_named_rows_then_the_anonymised_ones(api, read_key, classroom, school):
    AnonymisedTrainingRecord.objects.create(
        organisation=school,
        course=classroom["course"],
        course_title="AI basics",
        language="et",
        completed_on=datetime.date(2024, 5, 1),
        best_quiz_score=80,
    )
    rows = api("get", "/training-record", read_key).json()["items"]
    assert [row["member"]["username"] if row["member"] else None for row in rows] == ["jaan", "mari", None]
    mari = rows[1]
    assert mari["completed_on"] == timezone.localdate(LONG_AGO).isoformat() and not mari["anonymised"]
    assert mari["certificate_code"] == classroom["certificate"].code
    anonymised = rows[2]
    assert anonymised["anonymised"] and anonymised["group"] is None and anonymised["certificate_code"] == ""
    assert anonymised["completed_on"] == "2024-05-01" and anonymised["best_quiz_score"] == 80
