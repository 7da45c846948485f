"""Fixtures for the answering tests: a chat model on the fake OpenAI server and an indexed lesson."""

import pytest
from django.core.cache import cache

from tests.tutor import factories as f
from tutor import llm
from tutor.indexing import index_page

QUIZ_PROMPT = "Which of these is the best sign that a chatbot invented a source?"
QUIZ_RIGHT = "The cited article cannot be found anywhere"
QUIZ_WRONG = "The answer is written in a friendly tone"
QUIZ_EXPLANATION = "Invented citations point to sources that do not exist."
TEACHER_SECRET = "TEACHERONLY let pupils catch the chatbot inventing a source"


@pytest.fixture
def chat_model(settings, fake_openai):
    """Settings pointing the tutor at the fake server, with short timeouts and two retries."""
    settings.OPENAI_BASE_URL = fake_openai.url
    settings.OPENAI_API_KEY = "test-key"
    settings.TUTOR_CHAT_MODEL = "test-model"
    settings.TUTOR_LLM_TIMEOUT_SECONDS = 0.5
    settings.TUTOR_LLM_MAX_RETRIES = 2
    return fake_openai


@pytest.fixture
def offline(settings):
    settings.TUTOR_CHAT_MODEL = ""


@pytest.fixture
def pauses(monkeypatch):
    """Backoff delays the client chose, recorded instead of slept (the schedule is what is tested)."""
    recorded = []
    monkeypatch.setattr(llm, "_pause", recorded.append)
    return recorded


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate-limit counters live in the cache; every test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def lesson(db):
    """A published lesson of a students' course, with two sections, a teacher note and a quiz, indexed."""
    course = f.course("AI basics", audience="students")
    page = f.lesson(
        course,
        "Chatbots and facts",
        body=[
            f.heading("Learning from examples"),
            f.paragraph("<p>A spam filter learns which emails are junk from thousands of labelled examples.</p>"),
            f.heading("Hallucinations"),
            f.paragraph(
                "<p>Chatbots sometimes invent facts and citations that sound plausible but are false. "
                "Check every source a chatbot gives you: an invented article cannot be found anywhere.</p>"
            ),
            f.teacher_note(f"<p>{TEACHER_SECRET}.</p>"),
            f.quiz(
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
def student(db):
    return f.UserFactory(username="sam-student")
