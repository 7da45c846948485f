"""Server-side timing of one tutor answer, for ``make bench`` (``tutor.quality.bench``), never for unit tests.

``time_answer`` posts a question to the real ask view in-process (Django's test ``Client``: the
whole middleware stack, the real ``StreamingHttpResponse``) and times the stream as it is read:
first byte (the ``meta`` event: question saved, budget checked), first ``token`` event (screening,
retrieval, prompt and the model's first delta) and the end of the stream. Point the settings at a
zero-latency model (the fake OpenAI server of the tests) to measure our own overhead, or at a real
endpoint to measure what learners feel. Each call is a real question: it is stored and counts
towards ``TUTOR_RATE_LIMIT``, so raise that limit for a benchmark run.
"""

import time
from dataclasses import dataclass

from django.test import Client
from django.urls import reverse


@dataclass(frozen=True)
class AnswerTiming:
    status_code: int
    first_byte_ms: float | None
    first_token_ms: float | None
    total_ms: float
    events: tuple[str, ...]


def time_answer(user, lesson, question, client=None):
    """Ask ``question`` on ``lesson`` as ``user`` and time the streamed reply."""
    if client is None:
        client = Client()
        client.force_login(user)
    started = time.perf_counter()
    response = client.post(
        reverse("tutor:ask", args=[lesson.pk]), {"question": question}, content_type="application/json"
    )
    first_byte = first_token = None
    events = []
    if response.streaming:
        for chunk in response.streaming_content:
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
