"""The load test's parts (`make loadtest` itself is a benchmark, not a test): its slow model server speaks
what the openai SDK (the tutor's client) reads, and its SSE reader reads what the ask endpoint writes."""

import asyncio
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import openai
import pytest

from tests.conftest import REDIS_HOST, REDIS_PORT, redis_answers
from tutor.indexing.embeddings import cached_query_vector
from tutor.quality.loadtest import (
    class_questions,
    cpu_used,
    forget_question_vectors,
    percentile,
    process_cpu_seconds,
    sse_events,
)
from tutor.quality.slow_model import reply_words


@pytest.fixture
def slow_model():
    """The slow model on a free port, 8 words at 200 words/s; yields a client of the openai SDK the tutor uses."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "tutor.quality.slow_model", "--port", str(port), "--tokens", "8", "--rate", "200"]
    server = subprocess.Popen(command)  # noqa: S603
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert time.monotonic() < deadline and server.poll() is None, "the slow model did not start"
            time.sleep(0.1)
    yield openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="loadtest", max_retries=0, timeout=10)
    server.terminate()
    server.wait(10)


def complete(client, **options):
    """The streamed completion as the tutor asks for one (stream, usage in the last chunk)."""
    chunks = list(
        client.chat.completions.create(
            model="loadtest-model",
            messages=[{"role": "user", "content": "What is a pattern?"}],
            stream=True,
            stream_options={"include_usage": True},
            **options,
        )
    )
    text = [choice.delta.content for chunk in chunks for choice in chunk.choices if choice.delta.content]
    finish = [choice.finish_reason for chunk in chunks for choice in chunk.choices if choice.finish_reason]
    return text, finish, chunks[-1].usage


def test_the_slow_model_streams_its_words_with_usage(slow_model):
    text, finish, usage = complete(slow_model, max_tokens=800)

    assert text == reply_words(8)
    assert finish == ["stop"]
    assert (usage.prompt_tokens, usage.completion_tokens) == (4, 8)


def test_the_slow_model_stops_at_max_tokens(slow_model):
    text, finish, usage = complete(slow_model, max_tokens=3)

    assert len(text) == 3
    assert finish == ["length"]
    assert usage.completion_tokens == 3


def test_the_load_tests_reader_reads_server_sent_events():
    """The ask endpoint's wire format (``tutor.answering.views.server_sent_events``), split into lines as
    aiohttp's reader yields them."""
    body = (
        b'event: meta\ndata: {"reply": 1}\n\n'
        b'event: token\ndata: {"text": "Hi\\nthere"}\n\n'
        b": a comment line, ignored\n"
        b'event: done\r\ndata: {"reply": 1}\r\n\r\n'
    )

    async def read():
        async def lines():
            for line in body.splitlines(keepends=True):
                yield line

        return [event async for event in sse_events(lines())]

    with ThreadPoolExecutor(1) as thread:  # a loop of its own: Playwright's may be running in this one
        events = thread.submit(asyncio.run, read()).result()
    assert events == [("meta", '{"reply": 1}'), ("token", '{"text": "Hi\\nthere"}'), ("done", '{"reply": 1}')]


def test_percentiles_are_nearest_rank():
    values = list(range(1, 21))
    assert percentile(values, 0.5) == 10
    assert percentile(values, 0.95) == 19
    assert percentile([], 0.5) is None


def test_the_class_asks_the_courses_eval_questions_in_their_own_words():
    questions = class_questions()

    assert len(questions) == len(set(questions)) >= 30
    assert "is face unlock on my phone actually AI or is it just normal code?" in questions


def test_the_burst_cpu_is_counted_per_role_from_proc():
    before = process_cpu_seconds()
    busy_until = time.process_time() + 0.3
    while time.process_time() < busy_until:
        pass
    roles = {
        "this test": lambda pid, group, name: pid == os.getpid(),
        "everything else": lambda pid, group, name: True,
    }

    used = cpu_used(before, process_cpu_seconds(), roles)

    assert list(used) == ["this test", "everything else"]
    assert used["this test"] >= 0.25, "the busy loop's CPU time is counted for this process"
    assert used["everything else"] >= 0


@pytest.mark.skipif(not redis_answers(), reason=f"needs Redis on {REDIS_HOST}:{REDIS_PORT}")
def test_each_run_forgets_the_question_vectors_of_earlier_runs_and_nothing_else(settings):
    """Otherwise only the first run after a day would embed its questions, and runs would not compare."""
    url = f"redis://{REDIS_HOST}:{REDIS_PORT}/14"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    from django.core.cache import cache

    cache.clear()

    class Model:
        model_name = "local:test-model"
        asked = []

        def embed_query(self, text):
            self.asked.append(text)
            return [0.5, 0.5]

    cache.set("tutor-questions-rate", 3)
    cached_query_vector(Model(), "what is a neural network?")
    cached_query_vector(Model(), "what is a neural network?")

    assert forget_question_vectors(url) == 1
    cached_query_vector(Model(), "what is a neural network?")
    assert Model.asked == ["what is a neural network?"] * 2
    assert forget_question_vectors(url.replace("redis://", "rediscache://")) == 1  # django-environ's other name
    assert cache.get("tutor-questions-rate") == 3
    assert forget_question_vectors("locmemcache://") == 0  # no shared cache: nothing outlives the server
    cache.clear()
