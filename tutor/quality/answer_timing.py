"""Server-side timing of tutor answers, for ``make bench`` (``tutor.quality.bench``), never for unit tests.

``time_answers`` posts questions to the real ask view in-process through Django's ``AsyncClient``
(the async request path an ASGI server takes: the whole middleware stack, the real streamed
response, read chunk by chunk as it is produced) and times each stream: first byte (the ``meta``
event: question saved, budget reserved), first ``token`` event (screening, retrieval, prompt and
the model's first delta) and the end. One client serves every question, as one server process
would: its middleware is loaded once (a new test client per question would time WhiteNoise
scanning the static files on each). With ``stages`` it also records, per answer, the time spent in
each part of the answering service before the first token (``STAGES``).

Point the settings at a zero-latency model (the fake OpenAI server of the tests) to measure our own
overhead, or at a real endpoint to measure what learners feel. Each call is a real question: it is
stored and counts towards ``TUTOR_RATE_LIMIT`` and the budgets, so lift those for a benchmark run.
"""

import functools
import inspect
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pkgutil import resolve_name
from unittest import mock

from asgiref.sync import async_to_sync
from django.test import AsyncClient
from django.urls import reverse

# (function patched with a timer, what it does for the answer); the embedding runs in a worker
# thread from before the question is saved until retrieval needs the vector, after its keyword query,
# so its time overlaps the first stage and part of the retrieval.
STAGES = (
    ("tutor.answering.services.start", "save the question, reserve the budget (one transaction)"),
    (
        "tutor.indexing.embeddings.LocalProvider.embed_query",
        "embed the question (worker thread, overlaps the save, the keyword query)",
    ),
    ("tutor.oversight.safety.screen_message", "screen the question, check open quizzes"),
    ("tutor.answering.services.open_quizzes", "screen the question, check open quizzes"),
    ("tutor.answering.services.retrieve", "retrieve the sources (the vector waited for after the keyword query)"),
    ("tutor.answering.services.build_messages", "load the history, build the prompt"),
    ("tutor.answering.conversations.prompt_history", "load the history, build the prompt"),
    ("tutor.answering.llm.stream_chat", "model: request until the stream opens"),
)


@dataclass(frozen=True)
class AnswerTiming:
    status_code: int
    first_byte_ms: float | None
    first_token_ms: float | None
    total_ms: float
    events: tuple[str, ...]
    stages: dict = field(default_factory=dict)  # stage description -> ms (with ``stages``)


def time_answers(user, lesson, questions, *, stages=False):
    """Ask each of ``questions`` on ``lesson`` as ``user``, one after the other, and time each streamed reply."""
    return async_to_sync(_time_answers)(user, lesson, list(questions), stages)


async def _time_answers(user, lesson, questions, stages):
    client = AsyncClient()
    await client.aforce_login(user)
    timings = []
    with ExitStack() as patches:
        spent = {}
        if stages:
            for target, label in STAGES:
                patches.enter_context(mock.patch(target, _timed(resolve_name(target), label, spent)))
        for question in questions:
            spent.clear()
            timing = await _time_answer(client, lesson, question)
            timings.append(AnswerTiming(**{**timing.__dict__, "stages": dict(spent)}))
    return timings


async def _time_answer(client, lesson, question):
    started = time.perf_counter()
    response = await client.post(
        reverse("tutor:ask", args=[lesson.pk]), {"question": question}, content_type="application/json"
    )
    first_byte = first_token = None
    events = []
    if response.streaming:
        async for chunk in response.streaming_content:
            elapsed = (time.perf_counter() - started) * 1000
            first_byte = elapsed if first_byte is None else first_byte
            name = chunk.split(b"\n", 1)[0].removeprefix(b"event: ").decode()
            events.append(name)
            if name == "token" and first_token is None:
                first_token = elapsed
    return AnswerTiming(
        status_code=response.status_code,
        first_byte_ms=first_byte,
        first_token_ms=first_token,
        total_ms=(time.perf_counter() - started) * 1000,
        events=tuple(events),
    )


def _timed(function, label, spent):
    """``function`` adding its milliseconds to ``spent[label]`` (coroutine functions are awaited)."""
    if inspect.iscoroutinefunction(function):

        @functools.wraps(function)
        async def timed_coroutine(*args, **kwargs):
            started = time.perf_counter()
            try:
                return await function(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + (time.perf_counter() - started) * 1000

        return timed_coroutine

    @functools.wraps(function)
    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0.0) + (time.perf_counter() - started) * 1000

    return timed
