"""Fixtures shared by the whole suite: a real Celery worker on Redis, the local model server, polling."""

import socket
import time
import uuid

import pytest

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """Let every transactional test restore the migration data (``serialized_rollback=True``).

    Django keeps the serialized copy of the fresh test database on the connection object that
    created it. Once the Playwright session has started, tests can run with a different connection
    object (connections are per context), which has no copy: the test after the first flush would
    then start from an empty database (no home page). Keeping the copy on the wrapper class lets
    every connection object find it.
    """
    from django.db import connections

    for alias in connections:
        contents = getattr(connections[alias], "_test_serialized_contents", None)
        if contents is not None:
            type(connections[alias])._test_serialized_contents = contents


@pytest.fixture(autouse=True)
def default_language():
    """Requests to /et/ or /ru/ leave their language active in the thread; each test starts in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate-limit counters live in the cache, which outlives a test: each test starts without the last one's."""
    from django.core.cache import cache

    cache.clear()


def redis_answers():
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker thread consuming from Redis, on a queue private to this test.

    Every task goes to that queue, routed ones (``CELERY_TASK_ROUTES``) too: the named queues are
    shared with every other test run on this Redis. The worker shares the test database, so tests
    using it see committed data only (hence ``transactional_db``).
    """
    if not redis_answers():
        pytest.skip(f"No Redis answers on {REDIS_HOST}:{REDIS_PORT}; the worker test needs a real broker.")
    from celery.contrib.testing.worker import start_worker

    from cms.celery import app

    url = f"redis://{REDIS_HOST}:{REDIS_PORT}/0"
    queue = f"test-{uuid.uuid4().hex}"
    keys = ("broker_url", "result_backend", "task_always_eager", "task_default_queue", "task_routes")
    previous = {key: app.conf[key] for key in keys}
    app.conf.update(
        broker_url=url, result_backend=url, task_always_eager=False, task_default_queue=queue, task_routes={}
    )
    forget_connections(app)
    try:
        with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, queues=[queue]) as worker:
            yield worker
    finally:
        app.conf.update(previous)
        forget_connections(app)


def forget_connections(app):
    """Drop pooled broker connections, the cached result backend and the cached router so new settings apply."""
    app._after_fork()
    app._local.__dict__.pop("backend", None)
    app.amqp.flush_routes()
    app.amqp.__dict__.pop("router", None)


@pytest.fixture
def fake_openai():
    """A local OpenAI-compatible server on 127.0.0.1 (tests/fake_openai.py), stopped after the test."""
    from tests.fake_openai import FakeOpenAI

    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture
def chat_model(settings, fake_openai):
    """Settings that point the tutor's chat model at the fake server (short timeout, two retries)."""
    settings.OPENAI_BASE_URL = fake_openai.url
    settings.OPENAI_API_KEY = "test-key"
    settings.TUTOR_CHAT_MODEL = "test-model"
    settings.TUTOR_LLM_TIMEOUT_SECONDS = 1.0
    settings.TUTOR_LLM_MAX_RETRIES = 2
    return fake_openai


@pytest.fixture
def wait_for():
    """Poll ``condition()`` until it is true (returns True) or ``timeout`` seconds pass (returns False)."""

    def wait_for(condition, timeout=60, interval=0.1):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(interval)
        return False

    return wait_for
