"""``make bench``: how fast the tutor's retrieval and indexing are, on synthetic data.

Runs in a throwaway database (``tutor_bench``, created and migrated like a test database, dropped
at the end), never the development data. For 10k and 100k chunks (random normalised 384-d
vectors, synthetic text, bulk-loaded with binary COPY, HNSW index built after the load) it
measures:

* ``retrieve()`` latency p50/p95 (hybrid, as a learner asks: query embedding by the local model,
  visibility filter, HNSW search, full-text search, fusion), and the vector query alone;
* HNSW recall@10 against exact search (the same query with index scans disabled: a sequential
  scan and sort), at the ``ef_search`` retrieval uses. Random vectors are the hardest case for
  HNSW; real embeddings cluster and score higher;
* indexing throughput of ``index_page`` with the local model (chunks per second, end to end);
* server time to the first streamed byte and first token of an answer, against a zero-latency
  model server (the tests' fake OpenAI-compatible server), via ``tutor.quality.answer_timing``.

Usage: ``make bench`` or ``manage.py tutor_bench [--sizes 10000,100000] [--queries 100]``.
"""

import os
import statistics
import time
from datetime import UTC, datetime

QUESTIONS = [
    "is face unlock on my phone actually AI?",
    "why does the chatbot make up facts?",
    "how does a model learn from examples",
    "what counts as personal data",
    "can I use AI for my homework honestly",
    "what does the EU AI Act ask employers to do",
    "how do I spot a deepfake video",
    "what makes a good prompt",
]
WORDS = (  # noqa: SIM905 - a sentence of words reads better than a 47-item list
    "model data learn pattern example bias fair privacy prompt chatbot answer source fact check image video "
    "train label test error risk policy teacher student school work law act consent copy right text token "
    "network layer weight predict classify cluster search rank citation summary essay quiz reflect ethic"
).split()


def run_in_throwaway_database(*, sizes, queries):
    """Create ``tutor_bench`` like a test database, measure, drop it; returns the table rows."""
    from django.conf import settings
    from django.db import connection

    settings.DATABASES["default"]["TEST"]["NAME"] = "tutor_bench"
    original_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        return run(sizes=sizes, queries=queries)
    finally:
        connection.creation.destroy_test_db(original_name, verbosity=0)


def run(*, sizes, queries):
    from tutor.indexing.embeddings import local_provider

    provider = local_provider()
    provider.embed(["warm up the model"])  # loading the model is start-up cost, not query cost
    lessons = make_course(lesson_count=50)
    rows = []
    for size in sizes:
        build_seconds = load_chunks(size, lessons, provider.model_name)
        rows.append((f"{size:,} chunks: bulk load + HNSW build", f"{build_seconds:.1f} s"))
        hybrid, vector = retrieval_latency(provider, queries)
        rows.append((f"{size:,} chunks: retrieve() hybrid p50 / p95", f"{hybrid[0]:.1f} / {hybrid[1]:.1f} ms"))
        rows.append((f"{size:,} chunks: vector query only p50 / p95", f"{vector[0]:.1f} / {vector[1]:.1f} ms"))
        rows.append((f"{size:,} chunks: HNSW recall@10 vs exact", f"{hnsw_recall(queries):.3f}"))
    rows.append(("indexing throughput (local model, index_page)", f"{indexing_throughput(lessons[0]):.0f} chunks/s"))
    rows.extend(first_byte_rows(lessons[0]))
    return rows


def make_course(*, lesson_count):
    from wagtail.models import Site

    from lessons.models import CourseIndexPage, CoursePage, LessonPage

    home = Site.objects.get(is_default_site=True).root_page
    catalogue = home.add_child(instance=CourseIndexPage(title="Courses", slug="courses"))
    course = catalogue.add_child(instance=CoursePage(title="Benchmark course", slug="bench"))
    return [
        course.add_child(instance=LessonPage(title=f"Lesson {n}", slug=f"lesson-{n}", body=[]))
        for n in range(lesson_count)
    ]


def load_chunks(size, lessons, model_name):
    """Replace all chunks with ``size`` synthetic ones: COPY without the index, then build it."""
    import numpy as np
    from django.db import connection
    from pgvector.psycopg import register_vector

    from tutor.indexing.reconcile import HNSW_INDEX
    from tutor.models import Chunk

    rng = np.random.default_rng(size)
    vectors = rng.standard_normal((size, 384), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    words = np.array(WORDS)
    table = Chunk._meta.db_table
    course_id = lessons[0].get_parent().pk
    started = time.perf_counter()
    connection.ensure_connection()
    raw = connection.connection
    register_vector(raw)
    with raw.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table}")
        cursor.execute(f"DROP INDEX IF EXISTS {HNSW_INDEX}")
        columns = (
            "page_id, course_id, locale_id, position, anchor, section_title, heading_path, text, token_count, "
            "visibility, content_hash, embedding_model, embedding, indexed_at"
        )
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(
                ["int4", "int4", "int4", "int4", "varchar", "varchar", "varchar", "text", "int4", "varchar"]
                + ["varchar", "varchar", "vector", "timestamptz"]
            )
            stamp = datetime.now(UTC)
            for n in range(size):
                lesson = lessons[n % len(lessons)]
                text = " ".join(rng.choice(words, 40))
                copy.write_row(
                    (lesson.pk, course_id, lesson.locale_id, n, f"s{n % 7}", f"Section {n % 7}")
                    + (f"Benchmark course › {lesson.title} › Section {n % 7}", text, 60, "learners")
                    + (f"bench-{n}", model_name, vectors[n], stamp)
                )
        cursor.execute(
            f"UPDATE {table} SET search_vector = setweight(to_tsvector('english', heading_path), 'A') "  # noqa: S608
            "|| setweight(to_tsvector('english', text), 'B')"
        )
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET max_parallel_maintenance_workers = 2")
        cursor.execute(
            f"CREATE INDEX {HNSW_INDEX} ON {table} USING hnsw (embedding vector_cosine_ops) "
            "WITH (m = 16, ef_construction = 64)"
        )
        cursor.execute(f"ANALYZE {table}")
    return time.perf_counter() - started


def percentiles(samples):
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def retrieval_latency(provider, count):
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection, transaction

    from tutor.retrieval import EF_SEARCH, retrieve, vector_candidates, visible_chunks

    user = AnonymousUser()
    questions = [QUESTIONS[n % len(QUESTIONS)] + f" {n}" for n in range(count)]
    for question in questions[:5]:
        retrieve(question, user=user)
    hybrid = []
    for question in questions:
        started = time.perf_counter()
        retrieve(question, user=user, limit=6)
        hybrid.append((time.perf_counter() - started) * 1000)
    vectors = provider.embed(questions)
    vector_only = []
    for vector in vectors:
        started = time.perf_counter()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL hnsw.ef_search = %s", [EF_SEARCH])
            list(vector_candidates(visible_chunks(user, model_name=provider.model_name), vector)[:12].values_list("id"))
        vector_only.append((time.perf_counter() - started) * 1000)
    return percentiles(hybrid), percentiles(vector_only)


def hnsw_recall(count, k=10):
    """Share of the exact top-k that the HNSW index returns, for random normalised query vectors."""
    import numpy as np
    from django.db import connection, transaction

    from tutor.models import Chunk
    from tutor.retrieval import EF_SEARCH

    rng = np.random.default_rng(1)
    table = Chunk._meta.db_table
    overlap = []
    for _ in range(count):
        query = rng.standard_normal(384)
        query = "[" + ",".join(f"{value:.6f}" for value in query / np.linalg.norm(query)) + "]"
        sql = f"SELECT id FROM {table} ORDER BY embedding <=> %s::vector LIMIT {k}"  # noqa: S608
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL hnsw.ef_search = %s", [EF_SEARCH])
            cursor.execute(sql, [query])
            approximate = {row[0] for row in cursor.fetchall()}
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute(sql, [query])
            exact = {row[0] for row in cursor.fetchall()}
        overlap.append(len(approximate & exact) / k)
    return sum(overlap) / len(overlap)


def indexing_throughput(lesson, paragraphs=120):
    """Chunks per second through index_page (chunking, embedding, storing) on a fresh lesson."""
    from tutor.indexing.indexer import index_page
    from tutor.models import Chunk

    rng_words = WORDS * 3
    body = []
    for n in range(paragraphs):
        body.append(("heading", {"text": f"Section {n}", "anchor": ""}))
        sentence = " ".join(rng_words[(n + i) % len(rng_words)] for i in range(25)) + "."
        body.append(("paragraph", f"<p>{' '.join([sentence] * 6)}</p>"))
    lesson.body = body
    lesson.save_revision().publish()
    Chunk.objects.filter(page=lesson).delete()
    started = time.perf_counter()
    result = index_page(lesson)
    return result.embedded / (time.perf_counter() - started)


def first_byte_rows(lesson, count=20):
    """Time to first byte / first token of a streamed answer with a zero-latency model server."""
    try:
        from tests.fake_openai import FakeOpenAI
        from tutor.quality.answer_timing import time_answer
    except ImportError as error:
        return [("answer first byte / first token", f"not measured ({error})")]
    from django.contrib.auth import get_user_model
    from django.test import override_settings

    user = get_user_model().objects.create_user("bench-student", password="bench-only")  # noqa: S106
    server = FakeOpenAI().start()
    try:
        with override_settings(
            TUTOR_CHAT_MODEL="fake-chat",
            OPENAI_BASE_URL=server.url,
            OPENAI_API_KEY="bench",
            TUTOR_RATE_LIMIT="100000/h",
            ALLOWED_HOSTS=["*"],
        ):
            timings = [time_answer(user, lesson, QUESTIONS[n % len(QUESTIONS)]) for n in range(count + 3)][3:]
    finally:
        server.stop()
    failed = [t.status_code for t in timings if t.status_code != 200 or t.first_byte_ms is None]
    if failed:
        return [("answer first byte / first token", f"not measured (status {failed[0]})")]
    byte = percentiles([t.first_byte_ms for t in timings])
    token = percentiles([t.first_token_ms for t in timings if t.first_token_ms is not None])
    return [
        ("answer first byte p50 / p95 (zero-latency model)", f"{byte[0]:.1f} / {byte[1]:.1f} ms"),
        ("answer first token p50 / p95 (zero-latency model)", f"{token[0]:.1f} / {token[1]:.1f} ms"),
    ]


def print_table(rows):
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    rows = [*rows, ("machine: CPUs / load average (1, 5, 15 min) at the end", f"{os.cpu_count()} / {load}")]
    width = max(len(name) for name, _ in rows)
    print(f"\n| {'measure'.ljust(width)} | result |")
    print(f"|{'-' * (width + 2)}|--------|")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")
