"""Fixtures for the answering tests: offline mode, recorded backoff, a fresh cache and an indexed lesson.

``chat_model`` (the fake OpenAI server wired into settings) lives in tests/conftest.py, for the
browser tests too.
"""

import json

import pytest
from asgiref.sync import async_to_sync
from django.core.cache import cache

from tests import factories as f
from tutor.answering import llm
from tutor.indexing.indexer import index_page

QUIZ_PROMPT = "Which of these is the best sign that a chatbot invented a source?"
QUIZ_RIGHT = "The cited article cannot be found anywhere"
QUIZ_WRONG = "The answer is written in a friendly tone"
QUIZ_EXPLANATION = "Invented citations point to sources that do not exist."
TEACHER_SECRET = "TEACHERONLY let pupils catch the chatbot inventing a source"


def chatbots_lesson():
    """A published lesson of a students' course: two sections, a teacher note and a quiz, indexed.

    The first section is long, so a citation of the second one has to scroll the page.
    """
    course = f.course("AI basics", audience="students")
    page = f.lesson(
        course,
        "Chatbots and facts",
        body=[
            f.heading("Learning from examples"),
            f.paragraph(
                "<p>" + "A spam filter learns which emails are junk from thousands of labelled examples. " * 25 + "</p>"
            ),
            f.heading("Hallucinations"),
            f.paragraph(
                "<p>Chatbots sometimes invent facts and citations that sound plausible but are false. "
                "Check every source a chatbot gives you: an invented article cannot be found anywhere.</p>"
            ),
            f.teacher_note(f"<p>{TEACHER_SECRET}.</p>"),
            f.one_question_quiz(
                QUIZ_PROMPT,
                [(QUIZ_RIGHT, True, "Yes."), (QUIZ_WRONG, False, "Tone says nothing about truth.")],
                QUIZ_EXPLANATION,
                title="Spot the invention",
            ),
        ],
    )
    index_page(page)
    return page


@pytest.fixture
def offline(settings):
    settings.TUTOR_CHAT_MODEL = ""


@pytest.fixture
def pauses(monkeypatch):
    """Backoff delays the client chose, recorded instead of slept (the schedule is what is tested)."""
    recorded = []

    async def pause(seconds):
        recorded.append(seconds)

    monkeypatch.setattr(llm, "_pause", pause)
    return recorded


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate-limit counters live in the cache; every test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def lesson(db):
    return chatbots_lesson()


@pytest.fixture
def student(db):
    return f.UserFactory(username="sam-student")


def drain(iterator):
    """Everything an async iterator yields, read to the end in an event loop of its own (as WSGI serves the answer)."""

    async def read():
        return [item async for item in iterator]

    return async_to_sync(read)()


def events_of(response):
    """Parse a text/event-stream body into (event, data) pairs."""
    body = b"".join(drain(response.streaming_content)).decode()
    events = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        events.append((lines["event"], json.loads(lines["data"])))
    return events
