"""The deployment files: `make serve`, the Compose file, nginx's stream settings and the Celery queues."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests.conftest import redis_answers

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE_ENV = {  # what deploy/compose.yaml requires (its ${...:?} values); no container is started
    "SECRET_KEY": "x" * 50,
    "ALLOWED_HOSTS": "learn.example.org",
    "WAGTAILADMIN_BASE_URL": "https://learn.example.org",
    "POSTGRES_PASSWORD": "compose-validation",
}


# -- Compose ---------------------------------------------------------------------------------------------


def compose_command():
    """Docker's Compose plugin, else the standalone docker-compose (`make test` installs Debian's)."""
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    pytest.skip("No Docker Compose client (neither `docker compose` nor `docker-compose`) to validate the file with.")


def validate(compose_file):
    return subprocess.run(
        [*compose_command(), "-f", str(compose_file), "config", "-q"],
        env={**os.environ, **COMPOSE_ENV},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_compose_file_is_valid():
    result = validate(DEPLOY / "compose.yaml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_validation_catches_a_mistake(tmp_path):
    """The check above would pass with a validator that accepts anything; this one must not."""
    broken = (DEPLOY / "compose.yaml").read_text().replace("    command:", "    comand:", 1)
    (tmp_path / "compose.yaml").write_text(broken)
    assert validate(tmp_path / "compose.yaml").returncode != 0


def test_the_compose_file_needs_its_secrets():
    result = subprocess.run(
        [*compose_command(), "-f", str(DEPLOY / "compose.yaml"), "config", "-q"],
        env={**os.environ, **COMPOSE_ENV, "SECRET_KEY": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr


# -- Celery queues ---------------------------------------------------------------------------------------


def routed_queues():
    return {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()} | {"celery"}  # celery: the default


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("tutor.index_page", "indexing"),
        ("tutor.remove_page", "indexing"),
        ("lessons.export_training_record", "exports"),
        ("tutor.delete_expired_conversations", "celery"),
    ],
)
def test_tasks_go_to_their_queues(task, queue):
    from cms.celery import app

    assert app.amqp.Router().route({}, task)["queue"].name == queue


def test_make_worker_consumes_every_queue():
    dry_run = subprocess.run(["make", "-n", "worker"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    consumed = set(re.search(r"--queues (\S+)", dry_run).group(1).split(","))
    assert routed_queues() <= consumed


def test_the_compose_workers_consume_every_queue():
    commands = re.findall(r'"--queues", "([^"]+)"', (DEPLOY / "compose.yaml").read_text())
    consumed = {queue for command in commands for queue in command.split(",")}
    assert routed_queues() <= consumed
    assert len(commands) >= 2  # indexing and exports each have workers of their own


# -- nginx -----------------------------------------------------------------------------------------------


def parse_nginx(text):
    """nginx's configuration as nested blocks: {"directives": {name: [args, ...]}, "blocks": [(name, args, block)]}."""
    tokens = re.findall(r'"[^"]*"|[;{}]|[^\s;{}"]+', re.sub(r"#[^\n]*", "", text))

    def block(position):
        parsed, words = {"directives": {}, "blocks": []}, []
        while position < len(tokens):
            token = tokens[position]
            position += 1
            if token == ";":
                parsed["directives"].setdefault(words[0], []).append(words[1:])
                words = []
            elif token == "{":
                child, position = block(position)
                parsed["blocks"].append((words[0], words[1:], child))
                words = []
            elif token == "}":
                return parsed, position
            else:
                words.append(token)
        return parsed, position

    return block(0)[0]


def https_server():
    config = parse_nginx((DEPLOY / "nginx.conf").read_text())
    return next(server for name, _, server in config["blocks"] if name == "server" and "http2" in server["directives"])


def stream_location():
    server = https_server()
    pattern, location = next(
        (args[1], block) for name, args, block in server["blocks"] if name == "location" and "/ask/" in " ".join(args)
    )
    return pattern.strip('"'), location, server


def effective(directive, location, server):
    """The value a location uses: its own, else the server's (nginx inherits proxy_* settings downwards)."""
    values = location["directives"].get(directive) or server["directives"].get(directive)
    return [" ".join(args) for args in values] if values else []


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
def test_the_stream_location_matches_the_ask_endpoint_in_every_language(language):
    pattern, _, _ = stream_location()
    with translation.override(language):
        ask = reverse("tutor:ask", kwargs={"page_id": 42})
        conversation = reverse("tutor:conversation", kwargs={"page_id": 42})
    assert re.search(pattern, ask)
    assert not re.search(pattern, conversation)  # everything else keeps nginx's buffering


def test_the_stream_location_passes_each_event_on_at_once():
    _, location, server = stream_location()
    assert effective("proxy_buffering", location, server) == ["off"]
    assert effective("proxy_cache", location, server) == ["off"]
    assert effective("gzip", location, server) == ["off"]
    assert effective("proxy_http_version", location, server) == ["1.1"]
    assert 'Connection ""' in effective("proxy_set_header", location, server)
    read_timeout = effective("proxy_read_timeout", location, server)[0]
    assert float(read_timeout.rstrip("s")) > settings.TUTOR_ANSWER_DEADLINE_SECONDS
    # nginx honours the app's "X-Accel-Buffering: no" unless told to ignore it.
    assert not any("X-Accel-Buffering" in value for value in effective("proxy_ignore_headers", location, server))


def test_the_proxy_forwards_what_behind_proxy_trusts():
    headers = effective("proxy_set_header", {"directives": {}}, https_server())
    assert "X-Forwarded-Proto $scheme" in headers
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in headers


# -- make serve ------------------------------------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url):
    """(status, headers, body) without following redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(url, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the server reads committed data
def test_make_serve_runs_production_settings_under_uvicorn_on_loopback():
    if not redis_answers() and not shutil.which("redis-server"):
        pytest.skip("No Redis on 127.0.0.1:6379 and no redis-server: `make serve` needs one for its cache.")
    from django.db import connection

    database = connection.settings_dict
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in ("SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(
        PORT=str(port),
        WEB_CONCURRENCY="1",
        PY=sys.executable,
        DATABASE_URL=f"postgres://{database['USER']}@/{database['HOST']}/{database['NAME']}",
        LOAD_DEMO_CURRICULUM="false",  # the test database has no lessons; loading them takes minutes
    )
    server = subprocess.Popen(  # noqa: S603
        ["bash", str(DEPLOY / "serve.sh")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 480  # a first collectstatic compresses every Wagtail admin file
        while True:
            assert server.poll() is None, server.stdout.read()
            try:
                status, headers, body = fetch(f"http://127.0.0.1:{port}/en/")
                break
            except OSError:
                assert time.monotonic() < deadline, "make serve did not answer within 8 minutes"
                time.sleep(0.5)
        assert status == 200, body[:500]  # no redirect to https on loopback without a proxy
        assert headers["server"] == "uvicorn"
        assert "Content-Security-Policy" in headers  # production's middleware stack
        stylesheet = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', body).group(1)  # collected, hashed
        assert fetch(f"http://127.0.0.1:{port}{stylesheet}")[0] == 200  # served by WhiteNoise
        not_allowed = urllib.request.Request(f"http://127.0.0.1:{port}/en/", headers={"Host": "evil.example.org"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(not_allowed, timeout=10)  # noqa: S310
        assert refused.value.code == 400  # ALLOWED_HOSTS is loopback only
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(60)
