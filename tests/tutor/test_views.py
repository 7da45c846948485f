"""The tutor endpoints over HTTP: the SSE stream, bad input, limits, CSRF and who may see what."""

import json

import pytest
from django.contrib.auth.models import Group
from django.core.signals import request_finished
from django.db import close_old_connections
from django.template import Context, Template
from django.test import Client
from wagtail.models import PageViewRestriction

from lessons.models import LessonPage, Membership, Organisation
from tests import factories as f
from tests.tutor.conftest import events_of
from tutor.answering import services as answering
from tutor.answering import views
from tutor.models import Message
from tutor.quality.answer_timing import time_answer

pytestmark = pytest.mark.django_db

QUESTION = "Why do chatbots invent facts?"
HOSTILE_REPLY = (
    "Check the source [1]. <script>window.pwned = true</script>"
    '<img src="x" onerror="window.pwned = true"> [click](javascript:alert(1))'
)


def ask_url(lesson):
    return f"/en/tutor/lessons/{lesson.pk}/ask/"


@pytest.fixture
def client_for(student):
    def make(user=student, **kwargs):
        client = Client(**kwargs)
        client.force_login(user)
        return client

    return make


def post_question(client, lesson, question=QUESTION, as_json=True, **extra):
    if as_json:
        return client.post(ask_url(lesson), {"question": question}, content_type="application/json", **extra)
    return client.post(ask_url(lesson), {"question": question}, **extra)


@pytest.mark.parametrize("as_json", [True, False])
def test_ask_streams_server_sent_events_from_json_or_form_bodies(chat_model, lesson, client_for, as_json):
    response = post_question(client_for(), lesson, as_json=as_json)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    assert response["Cache-Control"] == "no-cache"
    events = events_of(response)
    assert [name for name, _ in events][:2] == ["meta", "token"]
    assert [name for name, _ in events][-2:] == ["sources", "done"]
    assert events[-1][1]["status"] == "complete"
    assert Message.objects.filter(role="learner", text=QUESTION).count() == 1


def test_model_html_is_sanitised_and_citations_link_to_the_section(chat_model, lesson, client_for, student):
    chat_model.reply = HOSTILE_REPLY
    client = client_for()

    html = events_of(post_question(client, lesson))[-1][1]["html"]
    history = client.get(f"/en/tutor/lessons/{lesson.pk}/conversation/").content.decode()

    for rendered in (html, history):
        assert "<script" not in rendered and "onerror" not in rendered and "javascript:" not in rendered
        assert "window.pwned" not in rendered
        assert '<a href="/en/courses/ai-basics/chatbots-and-facts/#hallucinations"' in rendered


@pytest.mark.parametrize(
    "question, message",
    [
        ("", "Type a question"),
        ("   \n\t ", "Type a question"),
        ("x" * 1001, "at most 1000 characters"),
    ],
)
def test_empty_blank_and_overlong_questions_are_400_and_store_nothing(lesson, client_for, question, message):
    response = post_question(client_for(), lesson, question)

    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not Message.objects.exists()


def test_malformed_json_is_400(lesson, client_for):
    response = client_for().post(ask_url(lesson), "{not json", content_type="application/json")

    assert response.status_code == 400
    assert "not valid JSON" in response.json()["error"]


def test_the_rate_limit_answers_429_with_retry_after(offline, settings, lesson, client_for):
    settings.TUTOR_RATE_LIMIT = "2/h"
    client = client_for()
    for _ in range(2):
        assert post_question(client, lesson).status_code == 200

    refused = post_question(client, lesson)

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "try again in" in refused.json()["error"] and "minute" in refused.json()["error"]
    assert Message.objects.filter(role="learner").count() == 2
    other = f.UserFactory(username="someone-else")
    assert post_question(client_for(other), lesson).status_code == 200, "the limit is per user"


def test_csrf_is_enforced(offline, lesson, client_for):
    client = client_for(enforce_csrf_checks=True)

    assert post_question(client, lesson).status_code == 403
    assert not Message.objects.exists()

    client.cookies["csrftoken"] = "a" * 32
    assert post_question(client, lesson, HTTP_X_CSRFTOKEN="a" * 32).status_code == 200


def test_anonymous_visitors_must_log_in(lesson):
    client = Client()

    asked = post_question(client, lesson)
    history = client.get(f"/en/tutor/lessons/{lesson.pk}/conversation/")

    assert asked.status_code == 401 and "Log in" in asked.json()["error"]
    assert history.status_code == 302 and history["Location"].startswith("/en/accounts/login/")


def test_only_post_asks(lesson, client_for):
    assert client_for().get(ask_url(lesson)).status_code == 405


def test_unknown_unpublished_and_hidden_lessons_are_404(offline, lesson, client_for):
    client = client_for()
    draft = f.lesson(lesson.get_parent(), "Draft lesson", publish=False)
    members_only = f.lesson(lesson.get_parent(), "Members only")
    restriction = PageViewRestriction.objects.create(page=members_only, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(Group.objects.create(name="Members"))
    hidden_course = f.course("Hidden course")
    orphan = f.lesson(hidden_course, "Orphan")
    hidden_course.unpublish()

    for page_id in (999999, draft.pk, members_only.pk, orphan.pk):
        assert client.post(f"/en/tutor/lessons/{page_id}/ask/", {"question": "hi"}).status_code == 404
        assert client.get(f"/en/tutor/lessons/{page_id}/conversation/").status_code == 404
    assert not Message.objects.exists()


def test_an_exhausted_budget_is_429_with_its_message(chat_model, lesson, client_for, student):
    school = f.with_budget(Organisation.objects.create(name="School", slug="school", kind="school"), questions=0)
    Membership.objects.create(user=student, organisation=school, role=Membership.Role.LEARNER)

    response = post_question(client_for(), lesson)

    assert response.status_code == 429
    assert "School" in response.json()["error"]
    assert Message.objects.filter(role="learner", text=QUESTION).exists()


def test_the_conversation_shows_only_the_learners_own_messages(offline, lesson, client_for, student):
    other = f.UserFactory(username="other-learner")
    answering_for = {student: "My own question about chatbots?", other: "Someone else's private question?"}
    for user, question in answering_for.items():
        list(answering.start(user, lesson, question).events())

    page = client_for().get(f"/en/tutor/lessons/{lesson.pk}/conversation/").content.decode()

    assert "My own question about chatbots?" in page
    assert "private question" not in page
    assert "Course excerpts" in page


def test_feedback_on_own_reply_is_saved_and_others_are_404(offline, lesson, client_for, student):
    list(answering.start(student, lesson, QUESTION).events())
    question, reply = Message.objects.order_by("id")
    client = client_for()

    response = client.post(f"/en/tutor/messages/{reply.pk}/feedback/", {"rating": "1"})

    assert response.status_code == 200
    assert 'aria-pressed="true"' in response.content.decode()
    reply.refresh_from_db()
    assert reply.rating == 1
    intruder = client_for(f.UserFactory(username="intruder"))
    assert intruder.post(f"/en/tutor/messages/{reply.pk}/feedback/", {"rating": "-1"}).status_code == 404
    assert client.post(f"/en/tutor/messages/{question.pk}/feedback/", {"rating": "-1"}).status_code == 404
    assert client.post(f"/en/tutor/messages/{reply.pk}/feedback/", {"rating": "5"}).status_code == 400
    reply.refresh_from_db()
    assert reply.rating == 1
    assert Client().post(f"/en/tutor/messages/{reply.pk}/feedback/", {"rating": "1"}).status_code == 401


def test_a_client_that_disconnects_leaves_the_partial_answer_saved(chat_model, lesson, student, rf):
    # Called without the test client, whose wrapper closes the stream itself: here the response is
    # closed half-read, as a WSGI server does when the browser goes away.
    request = rf.post(ask_url(lesson), {"question": QUESTION}, content_type="application/json")
    request.user = student
    response = views.ask(request, lesson.pk)
    stream = iter(response.streaming_content)
    received = [next(stream) for _ in range(3)]  # meta and two tokens
    request_finished.disconnect(close_old_connections)  # keep the test's transaction open
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)

    reply = Message.objects.get(role="tutor")
    assert reply.status == Message.Status.INTERRUPTED
    assert all(b"event: token" in chunk for chunk in received[1:])
    assert reply.text == "".join(json.loads(chunk.split(b"data: ")[1])["text"] for chunk in received[1:])


def test_answer_timing_reads_the_real_stream_for_the_benchmark(chat_model, lesson, student):
    timing = time_answer(student, lesson, QUESTION)

    assert timing.status_code == 200
    assert timing.events[0] == "meta" and timing.events[-1] == "done" and "token" in timing.events
    assert timing.first_byte_ms is not None and timing.first_token_ms is not None
    assert timing.first_byte_ms <= timing.first_token_ms <= timing.total_ms
    assert Message.objects.get(role="tutor").status == Message.Status.COMPLETE


def test_every_lesson_page_carries_the_panel_with_the_learners_history(offline, lesson, client_for, student):
    list(answering.start(student, lesson, "An earlier question about spam?").events())

    signed_in = client_for().get(lesson.url).content.decode()
    anonymous = Client().get(lesson.url).content.decode()

    assert 'aria-labelledby="tutor-heading"' in signed_in
    assert f'action="/en/tutor/lessons/{lesson.pk}/ask/"' in signed_in
    assert '<label class="tutor-form__label" for="tutor-question">Your question</label>' in signed_in
    assert "An earlier question about spam?" in signed_in
    assert "data-tutor-offline" in signed_in
    assert "Ask the tutor" in anonymous and "to ask the tutor" in anonymous
    assert "An earlier question" not in anonymous and "tutor-question" not in anonymous


def test_an_editors_preview_of_an_unsaved_lesson_gets_a_note_not_a_form(rf, student):
    request = rf.get("/en/")
    request.user = student
    html = Template('{% load extension_points %}{% extension_point "lesson_page_aside" page %}').render(
        Context({"page": LessonPage(title="Draft"), "request": request})
    )

    assert "once it is published" in html and "<form" not in html
