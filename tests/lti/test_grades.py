"""Grades back to the LMS gradebook (Assignment and Grade Services), received by the loopback LMS.

Celery runs eagerly here, so a grade is sent as the learner's quiz is stored; the platform fetches
nothing from the tool over HTTP in these tests (no live server), so it is given the tool's JWKS as
``/lti/jwks/`` serves it.
"""

import pytest
from django.urls import reverse

import lti.grades.receivers
from lessons.learning.services import record_lesson_visit, submit_quiz
from lti.grades.services import send_score
from lti.models import ScoreSubmission
from tests.factories import ALL_RIGHT, HALF_RIGHT, learning_course, quiz_answers, quiz_block, right_answers
from tests.lti.conftest import launch
from tests.lti.platform import Launch

pytestmark = pytest.mark.django_db
Status = ScoreSubmission.Status


@pytest.fixture
def lessons():
    return learning_course()


@pytest.fixture
def lms(client, platform, registered):
    platform.tool_key_set = client.get("/lti/jwks/").json()
    return platform


def named_line_item(platform, label="What AI is"):
    url = f"{platform.url}/lineitems/1"
    platform.line_items[url] = {"id": url, "scoreMaximum": 100, "label": label, "resourceLinkId": "link-1"}
    return url


def learner_of(lms_user_id):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(lti_users__sub=lms_user_id)


def pass_quiz(user, lesson):
    record_lesson_visit(user=user, lesson=lesson)
    submit_quiz(
        user=user,
        lesson=lesson,
        quiz_block_id=quiz_block(lesson).id,
        data=right_answers(user, lesson, quiz_block(lesson)),
    )


def test_quiz_results_in_the_browser_go_to_the_line_item_the_lms_named(
    client, lms, lessons, django_capture_on_commit_callbacks
):
    _course, quiz_lesson, _reading = lessons
    line_item = named_line_item(lms)
    launch(client, lms, Launch(user_id="student-1", custom={"page": str(quiz_lesson.pk)}, line_item=line_item))
    client.get(quiz_lesson.url)
    quiz_url = reverse("lessons:quiz", args=[quiz_lesson.pk, quiz_block(quiz_lesson).id])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(quiz_url, quiz_answers(quiz_lesson, HALF_RIGHT))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(quiz_url, quiz_answers(quiz_lesson, ALL_RIGHT))

    assert [item for item, _score in lms.scores] == [line_item, line_item]
    half, full = (score for _item, score in lms.scores)
    assert (half["userId"], half["scoreGiven"], half["scoreMaximum"]) == ("student-1", 50, 100)
    assert (half["activityProgress"], half["gradingProgress"]) == ("Submitted", "FullyGraded")
    assert (full["scoreGiven"], full["activityProgress"]) == (100, "Completed")
    assert full["timestamp"] > half["timestamp"]
    sent = ScoreSubmission.objects.order_by("pk")
    assert [(row.status, row.attempts, row.line_item_url) for row in sent] == [(Status.SENT, 1, line_item)] * 2


def test_the_tool_makes_one_line_item_for_a_link_the_lms_gave_none(
    client, lms, lessons, django_capture_on_commit_callbacks
):
    _course, quiz_lesson, _reading = lessons
    for student in ("student-1", "student-2"):
        launch(client, lms, Launch(user_id=student, custom={"page": str(quiz_lesson.pk)}))

    with django_capture_on_commit_callbacks(execute=True):
        pass_quiz(learner_of("student-1"), quiz_lesson)
        pass_quiz(learner_of("student-2"), quiz_lesson)

    (item,) = lms.line_items.values()
    assert (item["resourceLinkId"], item["label"], item["scoreMaximum"]) == ("link-1", "What AI is", 100)
    assert sorted((line_item, score["userId"]) for line_item, score in lms.scores) == [
        (item["id"], "student-1"),
        (item["id"], "student-2"),
    ]


def test_a_course_link_gets_the_share_of_lessons_completed(client, lms, lessons, django_capture_on_commit_callbacks):
    course, quiz_lesson, _reading = lessons
    launch(client, lms, Launch(user_id="student-1", custom={"page": str(course.pk)}))

    with django_capture_on_commit_callbacks(execute=True):
        pass_quiz(learner_of("student-1"), quiz_lesson)

    ((_item, score),) = lms.scores
    assert (score["scoreGiven"], score["activityProgress"]) == (50, "InProgress")


def test_without_a_broker_a_grade_the_lms_could_not_take_fails_and_the_next_result_sends_it(
    client, lms, lessons, django_capture_on_commit_callbacks
):
    _course, quiz_lesson, _reading = lessons
    launch(
        client, lms, Launch(user_id="student-1", custom={"page": str(quiz_lesson.pk)}, line_item=named_line_item(lms))
    )
    lms.score_failures = 1
    student = learner_of("student-1")

    with django_capture_on_commit_callbacks(execute=True):
        pass_quiz(student, quiz_lesson)
    failed = ScoreSubmission.objects.get()
    assert (failed.status, failed.attempts, failed.response_status, lms.scores) == (Status.FAILED, 1, 503, [])

    with django_capture_on_commit_callbacks(execute=True):
        pass_quiz(student, quiz_lesson)  # a later attempt, the same result

    assert ScoreSubmission.objects.latest("pk").status == Status.SENT
    assert [score["scoreGiven"] for _item, score in lms.scores] == [100]


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_retries_a_grade_while_the_lms_is_down_and_then_sends_it(
    client, lms, lessons, celery_worker, settings, wait_for
):
    settings.LTI_SCORE_RETRY_BASE_SECONDS = 0.05
    _course, quiz_lesson, _reading = lessons
    launch(
        client, lms, Launch(user_id="student-1", custom={"page": str(quiz_lesson.pk)}, line_item=named_line_item(lms))
    )
    lms.score_failures = 2

    pass_quiz(learner_of("student-1"), quiz_lesson)

    assert wait_for(lambda: ScoreSubmission.objects.filter(status=Status.SENT).exists(), timeout=30)
    submission = ScoreSubmission.objects.get()
    assert (submission.attempts, lms.score_posts, len(lms.scores)) == (3, 3, 1)


def test_a_refusal_that_retrying_cannot_change_fails_at_once(client, lms, lessons, django_capture_on_commit_callbacks):
    _course, quiz_lesson, _reading = lessons
    line_item = named_line_item(lms)
    launch(client, lms, Launch(user_id="student-1", custom={"page": str(quiz_lesson.pk)}, line_item=line_item))
    del lms.line_items[line_item]  # the teacher deleted the gradebook column

    with django_capture_on_commit_callbacks(execute=True):
        pass_quiz(learner_of("student-1"), quiz_lesson)

    submission = ScoreSubmission.objects.get()
    assert (submission.status, submission.attempts, submission.response_status) == (Status.FAILED, 1, 404)


def test_without_the_grade_service_claim_nothing_is_sent(client, lms, lessons, django_capture_on_commit_callbacks):
    _course, quiz_lesson, _reading = lessons
    launch(client, lms, Launch(user_id="student-1", custom={"page": str(quiz_lesson.pk)}, ags=False))

    with django_capture_on_commit_callbacks(execute=True):
        pass_quiz(learner_of("student-1"), quiz_lesson)

    assert not ScoreSubmission.objects.exists() and lms.scores == []


def test_an_older_grade_still_waiting_is_not_sent_over_a_newer_one(
    client, lms, lessons, django_capture_on_commit_callbacks
):
    _course, quiz_lesson, _reading = lessons
    launch(
        client, lms, Launch(user_id="student-1", custom={"page": str(quiz_lesson.pk)}, line_item=named_line_item(lms))
    )
    with django_capture_on_commit_callbacks(execute=True):
        pass_quiz(learner_of("student-1"), quiz_lesson)
    sent = ScoreSubmission.objects.get()
    older = ScoreSubmission.objects.create(
        **{field: getattr(sent, field) for field in ("placement", "lti_user", "user", "score_maximum", "timestamp")},
        score_given=10,
        activity_progress="Submitted",
        grading_progress="FullyGraded",
    )
    newest = ScoreSubmission.objects.create(
        **{field: getattr(sent, field) for field in ("placement", "lti_user", "user", "score_maximum", "timestamp")},
        score_given=100,
        activity_progress="Completed",
        grading_progress="FullyGraded",
    )

    assert send_score(older.pk, last_try=False) == Status.REPLACED
    assert send_score(newest.pk, last_try=False) == Status.SENT
    assert [score["scoreGiven"] for _item, score in lms.scores] == [100, 100]


def test_a_failure_to_record_grades_does_not_break_the_learners_quiz(
    client, lms, lessons, monkeypatch, django_capture_on_commit_callbacks
):
    _course, quiz_lesson, _reading = lessons
    launch(client, lms, Launch(user_id="student-1", custom={"page": str(quiz_lesson.pk)}))

    def broken(**kwargs):
        raise RuntimeError("the database is having a bad day")

    monkeypatch.setattr(lti.grades.receivers, "record_results", broken)
    client.get(quiz_lesson.url)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("lessons:quiz", args=[quiz_lesson.pk, quiz_block(quiz_lesson).id]),
            quiz_answers(quiz_lesson, ALL_RIGHT),
        )

    assert response.status_code == 302
