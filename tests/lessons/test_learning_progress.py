"""Enrolment, reading, quiz attempts, lesson and course completion, certificates (service level)."""

import pytest
from django.urls import reverse

from lessons.learning.exceptions import NotEnrollable, NotEnrolled
from lessons.learning.selectors import course_progress
from lessons.learning.services import enrol, record_lesson_visit, refresh_course_completion, submit_quiz
from lessons.models import Certificate, Enrolment, LessonProgress, QuizAttempt
from tests.factories import (
    ALL_RIGHT,
    ALL_WRONG,
    UserFactory,
    complete_lesson,
    course,
    learning_course,
    lesson,
    quiz_answers,
    quiz_block,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    page, quiz_lesson, reading = learning_course()
    return UserFactory(first_name="Mari", last_name="Tamm"), page, quiz_lesson, reading


def submit(user, lesson, chosen):
    return submit_quiz(user=user, lesson=lesson, quiz_block_id=quiz_block(lesson).id, data=as_querydict(lesson, chosen))


def as_querydict(lesson, chosen):
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    for key, values in quiz_answers(lesson, chosen).items():
        data.setlist(key, values)
    return data


def test_enrolling_twice_keeps_one_enrolment(setup):
    user, page, _, _ = setup
    assert enrol(user=user, course=page) == enrol(user=user, course=page)
    assert Enrolment.objects.filter(user=user).count() == 1


def test_an_unpublished_course_takes_no_enrolments():
    draft = course(title="Draft course", publish=False)
    with pytest.raises(NotEnrollable):
        enrol(user=UserFactory(), course=draft)
    assert not Enrolment.objects.exists()


def test_visits_are_recorded_only_for_enrolled_learners(setup):
    user, page, quiz_lesson, _ = setup
    assert record_lesson_visit(user=user, lesson=quiz_lesson) is None
    assert not LessonProgress.objects.exists()
    enrol(user=user, course=page)
    first = record_lesson_visit(user=user, lesson=quiz_lesson)
    again = record_lesson_visit(user=user, lesson=quiz_lesson)
    assert again.first_read_at == first.first_read_at
    assert again.last_visited_at > first.last_visited_at


def test_a_lesson_with_a_quiz_completes_when_read_and_passed(setup):
    user, page, quiz_lesson, _ = setup
    enrol(user=user, course=page)
    record_lesson_visit(user=user, lesson=quiz_lesson)
    assert not LessonProgress.objects.get(user=user, lesson=quiz_lesson).completed_at

    failed, result = submit(user, quiz_lesson, ALL_WRONG)
    assert not failed.passed and result.score_percent == 0
    assert not LessonProgress.objects.get(user=user, lesson=quiz_lesson).completed_at

    passed, _ = submit(user, quiz_lesson, ALL_RIGHT)
    assert passed.passed and passed.score_percent == 100 and passed.correct_count == 2
    assert LessonProgress.objects.get(user=user, lesson=quiz_lesson).completed_at
    assert QuizAttempt.objects.filter(user=user, lesson=quiz_lesson).count() == 2


def test_passing_before_reading_completes_the_lesson_on_the_first_visit(setup):
    user, page, quiz_lesson, _ = setup
    enrol(user=user, course=page)
    submit(user, quiz_lesson, ALL_RIGHT)
    assert not LessonProgress.objects.filter(user=user, lesson=quiz_lesson, completed_at__isnull=False).exists()
    record_lesson_visit(user=user, lesson=quiz_lesson)
    assert LessonProgress.objects.get(user=user, lesson=quiz_lesson).completed_at


def test_course_progress_moves_and_points_at_the_next_incomplete_lesson(setup):
    user, page, quiz_lesson, reading = setup
    enrol(user=user, course=page)
    progress = course_progress(user, page)
    assert (progress.completed_count, progress.total, progress.percent) == (0, 2, 0)
    assert progress.next_lesson.id == quiz_lesson.id and progress.last_visited is None

    record_lesson_visit(user=user, lesson=reading)
    progress = course_progress(user, page)
    assert (progress.completed_count, progress.percent) == (1, 50)
    assert progress.next_lesson.id == quiz_lesson.id
    assert progress.last_visited.id == reading.id


def test_completing_every_lesson_completes_the_course_and_issues_one_certificate(setup):
    user, page, quiz_lesson, reading = setup
    enrol(user=user, course=page)
    record_lesson_visit(user=user, lesson=reading)
    record_lesson_visit(user=user, lesson=quiz_lesson)
    assert not Certificate.objects.exists()

    submit(user, quiz_lesson, ALL_RIGHT)
    submit(user, quiz_lesson, ALL_RIGHT)  # passing again must not issue a second certificate
    record_lesson_visit(user=user, lesson=reading)

    certificate = Certificate.objects.get()
    assert (certificate.user, certificate.course_id) == (user, page.id)
    assert certificate.learner_name == "Mari Tamm" and certificate.course_title == "AI basics"
    assert Enrolment.objects.get(user=user).completed_at
    assert course_progress(user, page).complete


def test_certificate_codes_are_unique_per_learner(setup):
    _, page, quiz_lesson, reading = setup
    for learner in (UserFactory(), UserFactory()):
        enrol(user=learner, course=page)
        record_lesson_visit(user=learner, lesson=reading)
        record_lesson_visit(user=learner, lesson=quiz_lesson)
        submit(learner, quiz_lesson, ALL_RIGHT)
    codes = list(Certificate.objects.values_list("code", flat=True))
    assert len(codes) == 2 and len(set(codes)) == 2 and all(len(code) >= 16 for code in codes)


def test_a_learner_who_is_not_enrolled_cannot_submit(setup):
    user, _, quiz_lesson, _ = setup
    with pytest.raises(NotEnrolled):
        submit(user, quiz_lesson, ALL_RIGHT)
    assert not QuizAttempt.objects.exists()


def test_a_lesson_added_after_completion_is_new_on_the_dashboard_and_the_certificate_stands(client):
    page, quiz_lesson, reading = learning_course()
    learner = UserFactory(username="early-finisher")
    enrol(user=learner, course=page)
    for done in (quiz_lesson, reading):
        complete_lesson(learner, done)
    refresh_course_completion(user=learner, course=page)
    certificate = Certificate.objects.get(user=learner)

    added = lesson(page, title="Agents and automation")
    client.force_login(learner)
    html = client.get(reverse("lessons:dashboard")).content.decode()
    assert "Completed." in html and certificate.code in html
    new = html[html.index('class="new-lesson"') :]
    assert "New" in new and added.title in new and added.url in new
    assert Certificate.objects.filter(pk=certificate.pk).exists()
