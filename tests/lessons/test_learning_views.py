"""The learner's pages over HTTP: what they show, to whom, and every denial (with nothing changed)."""

import pytest
from django.test import Client
from django.urls import reverse

from lessons.learning.services import enrol
from lessons.models import Certificate, Enrolment, LessonProgress, QuizAttempt, ReflectionNote
from tests.factories import (
    ALL_RIGHT,
    ALL_WRONG,
    SECRET_EXPLANATION,
    SECRET_FEEDBACK,
    UserFactory,
    course,
    learning_course,
    lesson,
    quiz_answers,
    quiz_block,
    two_question_quiz,
)

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world():
    page, quiz_lesson, reading = learning_course()
    learner = UserFactory(username="mari", email="mari@example.org", first_name="Mari", last_name="Tamm")
    enrol(user=learner, course=page)
    client = Client()
    client.force_login(learner)
    return {"course": page, "quiz_lesson": quiz_lesson, "reading": reading, "learner": learner, "client": client}


def quiz_url(lesson, block_id=None):
    return reverse("lessons:quiz", args=[lesson.id, block_id or quiz_block(lesson).id])


def complete_course(world):
    client, quiz_lesson = world["client"], world["quiz_lesson"]
    client.get(world["reading"].url)
    client.get(quiz_lesson.url)
    client.post(quiz_url(quiz_lesson), quiz_answers(quiz_lesson, ALL_RIGHT))
    return Certificate.objects.get(user=world["learner"])


def test_opening_a_lesson_records_the_read_for_an_enrolled_learner(world):
    response = world["client"].get(world["quiz_lesson"].url)
    assert response.status_code == 200
    assert LessonProgress.objects.get(user=world["learner"], lesson=world["quiz_lesson"]).first_read_at


def test_quiz_html_before_submission_has_no_answers_feedback_or_explanations(world):
    html = world["client"].get(world["quiz_lesson"].url).content.decode()
    assert "Which of these use AI?" in html and "Pocket calculator" in html and quiz_url(world["quiz_lesson"]) in html
    for secret in (SECRET_FEEDBACK, SECRET_EXPLANATION, "is_correct", "Right:"):
        assert secret not in html
    fragment = world["client"].get(quiz_url(world["quiz_lesson"]), **HTMX).content.decode()
    assert "Pocket calculator" in fragment and SECRET_FEEDBACK not in fragment and SECRET_EXPLANATION not in fragment


def test_htmx_submission_returns_the_result_fragment(world):
    lesson_page = world["quiz_lesson"]
    failed = world["client"].post(quiz_url(lesson_page), quiz_answers(lesson_page, ALL_WRONG), **HTMX)
    html = failed.content.decode()
    assert failed.status_code == 200 and "<html" not in html
    assert "Not passed yet." in html and SECRET_FEEDBACK in html
    assert SECRET_EXPLANATION not in html  # explanations and the answer key only after a pass

    passed = world["client"].post(quiz_url(lesson_page), quiz_answers(lesson_page, ALL_RIGHT), **HTMX).content.decode()
    assert "Passed!" in passed and SECRET_EXPLANATION in passed
    assert list(QuizAttempt.objects.values_list("passed", flat=True).order_by("id")) == [False, True]


def test_plain_form_submission_redirects_to_the_attempt_page(world):
    lesson_page = world["quiz_lesson"]
    response = world["client"].post(quiz_url(lesson_page), quiz_answers(lesson_page, ALL_RIGHT))
    attempt = QuizAttempt.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("lessons:quiz_attempt", args=[attempt.id])
    page = world["client"].get(response["Location"]).content.decode()
    assert "You got 2 of 2 right (100%)" in page


def test_enrol_button_enrols_and_sends_the_learner_to_the_first_lesson(world):
    newcomer = UserFactory()
    client = Client()
    client.force_login(newcomer)
    assert "Enrol in this course" in client.get(world["course"].url).content.decode()
    response = client.post(reverse("lessons:enrol", args=[world["course"].id]))
    assert response.status_code == 302 and response["Location"] == world["quiz_lesson"].url
    assert Enrolment.objects.filter(user=newcomer, course=world["course"]).exists()
    assert client.get(reverse("lessons:enrol", args=[world["course"].id]))["Location"] == world["course"].url


def test_course_panel_shows_progress_continue_link_and_certificate(world):
    client = world["client"]
    client.get(world["reading"].url)
    html = client.get(world["course"].url).content.decode()
    assert "1 of 2 lessons complete (50%)" in html and "Continue: What AI is" in html
    certificate = complete_course(world)
    html = client.get(world["course"].url).content.decode()
    assert "You have completed this course." in html
    assert reverse("lessons:certificate", args=[certificate.code]) in html


def test_anonymous_visitors_are_sent_to_log_in_and_nothing_is_stored(world):
    anonymous = Client()
    lesson_page = world["quiz_lesson"]
    for response in (
        anonymous.get(reverse("lessons:dashboard")),
        anonymous.post(quiz_url(lesson_page), quiz_answers(lesson_page, ALL_RIGHT)),
        anonymous.post(reverse("lessons:enrol", args=[world["course"].id])),
        anonymous.post(reverse("lessons:reflection_note", args=[lesson_page.id, "x"]), {"text": "hi"}),
    ):
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    course_html = anonymous.get(world["course"].url).content.decode()
    assert f"{reverse('login')}?next={world['course'].url}" in course_html
    assert not QuizAttempt.objects.exists() and Enrolment.objects.count() == 1 and not ReflectionNote.objects.exists()


def test_submitting_a_quiz_without_enrolment_is_forbidden(world):
    outsider = Client()
    outsider.force_login(UserFactory())
    lesson_page = world["quiz_lesson"]
    response = outsider.post(quiz_url(lesson_page), quiz_answers(lesson_page, ALL_RIGHT))
    assert response.status_code == 403 and "Enrol in this course" in response.content.decode()
    assert not QuizAttempt.objects.exists() and not LessonProgress.objects.exists()


@pytest.mark.parametrize("htmx", [False, True])
def test_malformed_answers_get_400_and_store_nothing(world, htmx):
    lesson_page = world["quiz_lesson"]
    data = quiz_answers(lesson_page, ALL_RIGHT)
    first_question = next(iter(data))
    data[first_question] = ["no-such-option"]
    response = world["client"].post(quiz_url(lesson_page), data, **(HTMX if htmx else {}))
    assert response.status_code == 400
    assert "not part of its question" in response.content.decode()
    assert not QuizAttempt.objects.exists()


def test_unknown_question_ids_get_400(world):
    lesson_page = world["quiz_lesson"]
    data = {**quiz_answers(lesson_page, ALL_RIGHT), "question-forged": ["x"]}
    response = world["client"].post(quiz_url(lesson_page), data)
    assert response.status_code == 400 and not QuizAttempt.objects.exists()


def test_a_quiz_block_id_that_is_not_in_the_lesson_gets_404(world):
    other = lesson(world["course"], title="Another quiz", body=[two_question_quiz()])
    lesson_page = world["quiz_lesson"]
    for block_id in ("not-a-block", quiz_block(other).id):
        response = world["client"].post(quiz_url(lesson_page, block_id), quiz_answers(lesson_page, ALL_RIGHT))
        assert response.status_code == 404 and "no such quiz" in response.content.decode()
    assert not QuizAttempt.objects.exists()


def test_another_learners_attempt_is_not_found(world):
    lesson_page = world["quiz_lesson"]
    world["client"].post(quiz_url(lesson_page), quiz_answers(lesson_page, ALL_RIGHT))
    attempt = QuizAttempt.objects.get()
    snooper = Client()
    snooper.force_login(UserFactory())
    assert snooper.get(reverse("lessons:quiz_attempt", args=[attempt.id])).status_code == 404
    assert world["client"].get(reverse("lessons:quiz_attempt", args=[attempt.id])).status_code == 200


def test_posts_need_a_csrf_token(world):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world["learner"])
    lesson_page = world["quiz_lesson"]
    response = strict.post(quiz_url(lesson_page), quiz_answers(lesson_page, ALL_RIGHT))
    assert response.status_code == 403 and not QuizAttempt.objects.exists()


def test_reflection_notes_are_saved_edited_and_denied_where_they_should_be(world):
    client, lesson_page = world["client"], world["quiz_lesson"]
    block_id = next(block.id for block in lesson_page.body if block.block_type == "reflection")
    url = reverse("lessons:reflection_note", args=[lesson_page.id, block_id])
    assert client.post(url, {"text": "On my phone."}).status_code == 302
    response = client.post(url, {"text": "On my phone and in maps."}, **HTMX)
    assert response.status_code == 200 and "Saved to your notes." in response.content.decode()
    note = ReflectionNote.objects.get()
    assert (note.text, note.prompt) == ("On my phone and in maps.", "Where did you meet AI?")
    assert "On my phone and in maps." in client.get(lesson_page.url).content.decode()

    assert client.post(url, {"text": "x" * 5001}).status_code == 400
    assert (
        client.post(reverse("lessons:reflection_note", args=[lesson_page.id, "nope"]), {"text": "a"}).status_code == 404
    )
    outsider = Client()
    outsider.force_login(UserFactory())
    assert outsider.post(url, {"text": "mine"}).status_code == 403
    assert ReflectionNote.objects.get().text == "On my phone and in maps."


def test_dashboard_shows_only_the_learners_own_courses_notes_and_certificates(world):
    certificate = complete_course(world)
    block_id = next(block.id for block in world["quiz_lesson"].body if block.block_type == "reflection")
    world["client"].post(reverse("lessons:reflection_note", args=[world["quiz_lesson"].id, block_id]), {"text": "Mine"})

    other_course = course(title="Prompting for work")
    other = UserFactory()
    enrol(user=other, course=other_course)
    other_client = Client()
    other_client.force_login(other)

    mine = world["client"].get(reverse("lessons:dashboard")).content.decode()
    assert "AI basics" in mine and "Prompting for work" not in mine and "Mine" in mine
    assert reverse("lessons:certificate", args=[certificate.code]) in mine

    theirs = other_client.get(reverse("lessons:dashboard")).content.decode()
    assert "Prompting for work" in theirs and "AI basics" not in theirs
    assert "Mine" not in theirs and certificate.code not in theirs


def test_only_the_owner_sees_their_certificate(world):
    certificate = complete_course(world)
    url = reverse("lessons:certificate", args=[certificate.code])
    page = world["client"].get(url).content.decode()
    assert "Mari Tamm" in page and "AI basics" in page and certificate.code in page
    assert reverse("lessons:verify_certificate", args=[certificate.code]) in page
    other = Client()
    other.force_login(UserFactory())
    assert other.get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_verification_confirms_the_certificate_and_reveals_nothing_else(world):
    certificate = complete_course(world)
    enrol(user=world["learner"], course=course(title="Secret second course"))
    response = Client().get(reverse("lessons:verify_certificate", args=[certificate.code]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Certificate verified" in html and "Mari Tamm" in html and "AI basics" in html and certificate.code in html
    for private in ("mari@example.org", ">mari<", "Secret second course", "What AI is"):
        assert private not in html


def test_an_unknown_verification_code_is_a_clear_404():
    response = Client().get(reverse("lessons:verify_certificate", args=["not-a-real-code"]))
    assert response.status_code == 404
    assert "No certificate has the verification code" in response.content.decode()
