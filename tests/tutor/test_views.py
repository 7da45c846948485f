"""The tutor endpoints over HTTP: the SSE stream, bad input, limits, CSRF and who may see what."""

import asyncio
import json
import time
import warnings

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.contrib.auth.models import Group
from django.core.handlers.asgi import ASGIHandler
from django.db import connection
from django.template import Context, Template
from django.test import AsyncClient, Client
from wagtail.models import PageViewRestriction

from lessons.models import LessonPage, Membership, Organisation
from tests import factories as f
from tests.fake_openai import DEFAULT_REPLY
from tests.tutor.conftest import chatbots_lesson, drain, events_of
from tutor.answering import services as answering
from tutor.indexing.chunking import count_tokens
from tutor.models import Message
from tutor.oversight import budgets
from tutor.quality.answer_timing import STAGES, time_answers

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


def test_the_question_box_takes_exactly_what_the_server_accepts(offline, settings, lesson, client_for):
    """The box's maxlength (what a paste is cut to, and the number the panel's notice gives) is the server's limit."""
    settings.TUTOR_MAX_QUESTION_CHARS = 30
    client = client_for()

    html = client.get(lesson.url).content.decode()

    assert 'maxlength="30"' in html and "Up to 30 characters." in html
    assert post_question(client, lesson, "x" * 31).status_code == 400
    assert events_of(post_question(client, lesson, "x" * 30))[-1][0] == "done"


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


@pytest.mark.parametrize("share", [False, True])
def test_a_learner_outside_any_organisation_is_refused_by_the_site_budget_with_a_clear_message(
    chat_model, settings, lesson, client_for, student, share
):
    settings.TUTOR_SITE_MONTHLY_TOKENS = 1_000_000 if share else 1_000
    settings.TUTOR_SITE_PER_LEARNER_MONTHLY_TOKENS = 1_000 if share else None

    response = post_question(client_for(), lesson)

    assert response.status_code == 429
    expected = (
        "Your tutor budget for this month" if share else "The tutor's budget for learners outside an organisation"
    )
    assert response.json()["error"].startswith(expected)
    assert "You can ask the tutor again from" in response.json()["error"]
    assert chat_model.chat_requests() == []


def test_the_conversation_shows_only_the_learners_own_messages(offline, lesson, client_for, student):
    other = f.UserFactory(username="other-learner")
    answering_for = {student: "My own question about chatbots?", other: "Someone else's private question?"}
    for user, question in answering_for.items():
        drain(answering.start(user, lesson, question).events())

    page = client_for().get(f"/en/tutor/lessons/{lesson.pk}/conversation/").content.decode()

    assert "My own question about chatbots?" in page
    assert "private question" not in page
    assert "Course excerpts" in page


def test_feedback_on_own_reply_is_saved_and_others_are_404(offline, lesson, client_for, student):
    drain(answering.start(student, lesson, QUESTION).events())
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


def test_the_async_client_reads_the_answer_as_it_streams_without_a_sync_fallback(chat_model, lesson, student):
    """Under ASGI Django iterates the view's async stream itself: no warning about consuming it synchronously."""

    async def ask():
        client = AsyncClient()
        await client.aforce_login(student)
        response = await client.post(ask_url(lesson), {"question": QUESTION}, content_type="application/json")
        return response, [chunk async for chunk in response.streaming_content]

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        response, chunks = async_to_sync(ask)()

    assert response.status_code == 200 and response.is_async
    names = [chunk.split(b"\n", 1)[0].removeprefix(b"event: ").decode() for chunk in chunks]
    assert names[0] == "meta" and names[-2:] == ["sources", "done"] and names.count("token") > 1
    assert not [warning for warning in caught if "StreamingHttpResponse" in str(warning.message)]
    reply = Message.objects.get(role="tutor")
    assert (reply.status, reply.text) == (Message.Status.COMPLETE, DEFAULT_REPLY)


def test_the_async_client_gets_the_same_refusals(offline, settings, lesson, student):
    settings.TUTOR_RATE_LIMIT = "1/h"

    async def ask(**login):
        client = AsyncClient()
        if login:
            await client.aforce_login(student)
        return await client.post(ask_url(lesson), {"question": QUESTION}, content_type="application/json")

    assert async_to_sync(ask)().status_code == 401
    assert async_to_sync(ask)(login=True).status_code == 200
    refused = async_to_sync(ask)(login=True)
    assert refused.status_code == 429 and "try again in" in refused.json()["error"]


class LeavingClient:
    """An ASGI client that sends the question, reads the stream and goes away after ``tokens`` token events
    (or when ``leave()`` is called, from any thread)."""

    def __init__(self, path, cookies, body, *, tokens=None):
        self.path, self.cookies, self.body, self.tokens = path, cookies, body, tokens
        self.chunks = []
        self._asked = False
        self._gone = asyncio.Event()
        self._loop = None

    @property
    def scope(self):
        return {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": self.path,
            "raw_path": self.path.encode(),
            "query_string": b"",
            "root_path": "",
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
            "headers": [
                (b"host", b"testserver"),
                (b"content-type", b"application/json"),
                (b"content-length", str(len(self.body)).encode()),
                (b"cookie", self.cookies.encode()),
                (b"x-csrftoken", b"a" * 32),
            ],
        }

    def leave(self):
        self._loop.call_soon_threadsafe(self._gone.set)

    async def receive(self):
        if not self._asked:
            self._asked = True
            self._loop = asyncio.get_running_loop()
            return {"type": "http.request", "body": self.body, "more_body": False}
        await self._gone.wait()
        return {"type": "http.disconnect"}  # what uvicorn reports when the browser closes the connection

    async def send(self, message):
        if message["type"] == "http.response.body" and message.get("body"):
            self.chunks.append(message["body"])
            if self.tokens is not None and sum(b"event: token" in chunk for chunk in self.chunks) >= self.tokens:
                self._gone.set()

    def token_text(self):
        return "".join(
            json.loads(chunk.split(b"data: ")[1])["text"] for chunk in self.chunks if b"event: token" in chunk
        )


def leaving_client(lesson, student, **options):
    browser = Client()
    browser.force_login(student)
    return LeavingClient(
        ask_url(lesson),
        f"sessionid={browser.cookies['sessionid'].value}; csrftoken={'a' * 32}",
        json.dumps({"question": QUESTION}).encode(),
        **options,
    )


# Django's ASGI handler closes database connections as a request starts and ends, which a test's transaction
# would not survive: these tests see committed data only.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_client_that_disconnects_mid_stream_leaves_the_partial_answer_saved_with_its_tokens(chat_model):
    chat_model.fail_next("endless")  # a model that would go on writing for ENDLESS_SECONDS
    lesson, student = chatbots_lesson(), f.UserFactory(username="sam-student")
    client = leaving_client(lesson, student, tokens=3)
    started = time.monotonic()

    async_to_sync(ASGIHandler())(client.scope, client.receive, client.send)

    assert time.monotonic() - started < 15, "the handler noticed the disconnect and stopped the answer"
    reply = Message.objects.get(role="tutor")
    assert reply.status == Message.Status.INTERRUPTED and reply.error == "The learner left before the end."
    assert reply.text == client.token_text() and len(reply.text.split()) >= 3
    # The usage chunk never came: the prompt and the partial text are estimated and count against the budget.
    assert reply.prompt_tokens > 0 and reply.completion_tokens == count_tokens(reply.text)


def other_connections():
    """How many connections to the test database PostgreSQL has, besides the one asking."""
    import psycopg

    settings = connection.settings_dict
    with psycopg.connect(host=settings["HOST"], user=settings["USER"], dbname=settings["NAME"]) as probe:
        query = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        return probe.execute(query).fetchone()[0]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_answer_waiting_for_its_model_holds_no_database_connection(chat_model):
    chat_model.fail_next("endless")
    lesson, student = chatbots_lesson(), f.UserFactory(username="sam-student")
    client = leaving_client(lesson, student, tokens=3)
    connection.close()  # the test's own: the request opens what it needs
    before, during = other_connections(), []

    async def send(message):
        await client.send(message)
        if not during and any(b"event: token" in chunk for chunk in client.chunks):
            during.append(await sync_to_async(other_connections, thread_sensitive=False)())

    async_to_sync(ASGIHandler())(client.scope, client.receive, send)

    assert before == 0 and during == [0], "the request's connection was closed before the model's first token"
    assert Message.objects.get(role="tutor").status == Message.Status.INTERRUPTED


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("leaves_during", ["start", "_prepare"], ids=["saving the question", "searching the course"])
def test_a_client_that_disconnects_before_the_model_is_asked_gets_the_question_kept_and_the_reservation_released(
    chat_model, monkeypatch, leaves_during
):
    lesson, student = chatbots_lesson(), f.UserFactory(username="sam-student")
    client = leaving_client(lesson, student)
    step = getattr(answering, leaves_during)

    def slow_step(*args):
        client.leave()  # the browser goes away while this step runs
        time.sleep(0.5)
        return step(*args)

    monkeypatch.setattr(answering, leaves_during, slow_step)

    async_to_sync(ASGIHandler())(client.scope, client.receive, client.send)

    question, reply = Message.objects.filter(conversation__user=student).order_by("id")
    assert question.text == QUESTION
    assert (reply.status, reply.error) == (Message.Status.INTERRUPTED, answering.LEARNER_LEFT)
    (site,) = budgets.budgets_of(student)
    assert site.reserved_tokens == 0 and site.learner_tokens == 0
    assert client.chunks == [] and chat_model.chat_requests() == []


def test_answer_timing_reads_the_real_stream_for_the_benchmark(chat_model, lesson, student):
    first, second = time_answers(student, lesson, [QUESTION, "And what about images?"], stages=True)

    for timing in (first, second):
        assert timing.status_code == 200
        assert timing.events[0] == "meta" and timing.events[-1] == "done" and "token" in timing.events
        assert timing.first_byte_ms is not None and timing.first_token_ms is not None
        assert timing.first_byte_ms <= timing.first_token_ms <= timing.total_ms
        assert set(timing.stages) == {label for _, label in STAGES}
        assert sum(timing.stages.values()) < timing.total_ms * 2  # the embedding overlaps the save
    assert list(Message.objects.filter(role="tutor").values_list("status", flat=True)) == ["complete"] * 2


def test_every_lesson_page_carries_the_panel_with_the_learners_history(offline, lesson, client_for, student):
    drain(answering.start(student, lesson, "An earlier question about spam?").events())

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


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("at_once", [1, 2])
def test_questions_are_worked_on_a_few_at_a_time_until_their_model_request_goes_out(
    chat_model, settings, monkeypatch, at_once
):
    """Two learners ask at once, each request in a thread of its own as under uvicorn. One at a time,
    the second question is not even saved until the first one's prompt is ready; two at a time, it is."""
    settings.TUTOR_ANSWERS_STARTING_AT_ONCE = at_once
    lesson = chatbots_lesson()
    clients = [leaving_client(lesson, f.UserFactory(username=name)) for name in ("ann", "ben")]
    spans = {"start": [], "_prepare": []}
    for name in spans:
        step = getattr(answering, name)

        def timed(*args, step=step, name=name):
            began = time.monotonic()
            if name == "_prepare":
                time.sleep(0.5)  # a slow search: long enough for the other question to arrive meanwhile
            result = step(*args)
            spans[name].append((began, time.monotonic()))
            return result

        monkeypatch.setattr(answering, name, timed)
    handler = ASGIHandler()

    async def ask_together():
        await asyncio.gather(*(handler(client.scope, client.receive, client.send) for client in clients))

    # A loop of its own, as uvicorn's: under async_to_sync every sync section would run in this thread.
    asyncio.run(ask_together())

    first_prepared = min(end for _, end in spans["_prepare"])
    second_saved = max(began for began, _ in spans["start"])
    assert (second_saved >= first_prepared) == (at_once == 1)
    assert all(b"event: done" in b"".join(client.chunks) for client in clients)
