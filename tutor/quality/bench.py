"""``make bench``: how fast the tutor's retrieval and indexing are, on course-like data.

Runs in a throwaway database (``tutor_bench``, created and migrated like a test database, dropped
at the end), never the development data. The demo curriculum is loaded there, and for each size
(10k and 100k chunks by default; ``--sizes`` adds 1,000,000) the chunk table is filled with
course-like chunks in three languages with real embeddings (tutor.quality.corpus), indexes built
after the load. The questions are the eval questions of every language (tutor/quality/eval),
each asked by an anonymous learner from its lesson. For each size it measures:

* ``retrieve()`` (hybrid, limit 6) stage by stage, p50 / p95: embedding the question (the local
  model), scope (the pages the user may see), the vector queries (HNSW, in the whole index and in
  the course), the keyword query, fusion (RRF, loading the chunks, their URLs); per question, the
  two queries on the chunk index (vector + keyword) and everything but the embedding;
* the keyword query before the scale work (``legacy_keyword_candidates``: every word ORed, every
  match ranked) against the current one on the same questions, and how much of the old top list
  the new one keeps; and ``retrieve()`` without the embedding, and its eval recall@5, with each
  (question vectors from the cache, so only the keyword query differs);
* HNSW recall@10 against exact search (NumPy over the loaded vectors) and latency, for each
  ``ef_search`` of ``EF_CURVE``, over the chunks learners may see (iterative scan): the curve that
  chose ``EF_SEARCH``; and the same for retrieval's in-course query, exact by design;
* indexing throughput of ``index_page`` with the local model (chunks per second, end to end);
* server time to the first streamed byte and first token of an answer, against a zero-latency
  model server (the tests' fake OpenAI-compatible server), through the async request path
  (``tutor.quality.answer_timing``), for distinct questions (each one embedded) and for the same
  questions again (their vectors cached), with the time of each part of the answering service before
  the first token, and the figure from before the ask view went async.

Usage: ``make bench`` or ``manage.py tutor_bench [--sizes 10000,100000] [--queries 100] [--hnsw M:EF]``.
"""

import os
import re
import statistics
import time
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import numpy as np

EVAL_DIR = Path(__file__).resolve().parent / "eval"
EF_CURVE = (20, 40, 64, 100, 150, 200, 300, 400)
STAGES = ("embed", "scope", "vector", "keyword", "fuse")
LIMIT = 6  # what the tutor asks retrieve() for
K = 10  # recall@K
CURVE_HEADER = ("ef_search", "recall@10, learners' chunks", "p50 / p95 ms")
WORDS = (  # noqa: SIM905 - a sentence of words reads better than a list
    "model data learn pattern example bias fair privacy prompt chatbot answer source fact check image video "
    "train label test error risk policy teacher student school work law act consent copy right text token"
).split()


@dataclass(frozen=True)
class Asked:
    """An eval question as a learner asks it: in its language, from the lesson that answers it."""

    text: str
    language: str
    course: object
    lesson: object
    vector: np.ndarray
    expected: tuple  # the eval's sections that answer it


def run_in_throwaway_database(*, sizes, queries, hnsw=None, report=print):
    """Create ``tutor_bench`` like a test database, measure, drop it; ``report`` gets each table when done."""
    from django.conf import settings
    from django.db import connection

    settings.DATABASES["default"]["TEST"]["NAME"] = "tutor_bench"
    original_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(sizes=sizes, queries=queries, hnsw=hnsw, report=report)
    finally:
        connection.creation.destroy_test_db(original_name, verbosity=0)


def run(*, sizes, queries, hnsw=None, report=print):
    from tutor.indexing.embeddings import local_provider
    from tutor.quality.corpus import Corpus, VectorCache, load_chunks, load_curriculum

    provider = local_provider()
    provider.embed(["warm up the model"])  # loading the model is start-up cost, not query cost
    load_curriculum()
    cache = VectorCache(provider)
    corpus = Corpus.from_curriculum(cache)
    questions = bench_questions(cache)
    for size in sizes:
        loaded = load_chunks(corpus, size, provider.model_name, hnsw=hnsw)
        rows = [(f"load: {step}", f"{seconds:.1f} s") for step, seconds in loaded.seconds.items()]
        rows += stage_rows(provider, questions, queries)
        rows += keyword_rows(provider, questions, queries)
        rows.append(course_query_row(loaded, questions, provider.model_name))
        report(f"{size:,} chunks ({len(questions)} questions)", ("measure", "result"), rows)
        curve = curve_rows(loaded, questions, provider.model_name)
        report(f"{size:,} chunks: HNSW ef_search curve", CURVE_HEADER, curve)
    lesson = next(asked.lesson for asked in questions if asked.lesson is not None and asked.language == "en")
    rows = [("indexing throughput (local model, index_page)", f"{indexing_throughput(lesson):.0f} chunks/s")]
    asked = [question.text for question in sorted(questions, key=lambda question: question.language != "en")]
    report("indexing and answering", ("measure", "result"), rows + first_byte_rows(lesson, asked))


def bench_questions(cache):
    from lessons.models import LessonPage
    from tutor.quality.evaluation import course_of, load_questions, without_language

    questions = load_questions(sorted(path for path in EVAL_DIR.iterdir() if path.is_dir()))
    vectors = cache.get([question.question for question in questions], kind="query")
    asked = []
    for question, vector in zip(questions, vectors, strict=True):
        language = question.locale or "en"
        course = course_of(question.expected[0], language)
        parts = without_language(question.expected[0]).split("#")[0].strip("/").split("/")
        lesson = None
        if course is not None and len(parts) > 2:
            lesson = LessonPage.objects.child_of(course).live().filter(slug=parts[2]).first()
        asked.append(Asked(question.question, language, course, lesson, vector, question.expected))
    return asked


def percentiles(samples):
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def p50_p95(samples):
    return "{:.1f} / {:.1f} ms".format(*percentiles(samples))


def cycle(questions, count):
    return list(islice((questions[n % len(questions)] for n in range(count)), count))


def ask(asked, provider, timings=None, mode="hybrid"):
    from django.contrib.auth.models import AnonymousUser

    from tutor.retrieval import retrieve

    return retrieve(
        asked.text,
        user=AnonymousUser(),
        lesson=asked.lesson,
        course=asked.course,
        language=asked.language,
        limit=LIMIT,
        mode=mode,
        provider=provider,
        timings=timings,
    )


def database_times(provider, questions, mode="hybrid"):
    """Per question: (stage timings, milliseconds of retrieve() less the embedding, recall@5).

    Recall@5 as ``tutor_eval`` counts it: the curriculum's own chunks are the answers, and the
    generated ones, on copies of the courses, compete with them (they share sentences).
    """
    from tutor.quality.evaluation import score_question

    for asked in questions[:5]:
        ask(asked, provider, mode=mode)  # warm-up: connection, caches, plans
    measured = []
    for asked in questions:
        timings = {}
        started = time.perf_counter()
        results = ask(asked, provider, timings, mode=mode)
        elapsed = (time.perf_counter() - started) * 1000 - timings.get("embed", 0.0)
        recall, _ = score_question([result.url for result in results[:5]], asked.expected)
        measured.append((timings, elapsed, recall))
    return measured


def stage_rows(provider, questions, count):
    measured = database_times(provider, cycle(questions, count))
    rows = [(f"retrieve() {stage} p50 / p95", p50_p95([t.get(stage, 0.0) for t, *_ in measured])) for stage in STAGES]
    database = [timings["vector"] + timings["keyword"] for timings, *_ in measured]
    rows.append(("retrieve() vector + keyword (the chunk index) p50 / p95", p50_p95(database)))
    rows.append(("retrieve() all but embed p50 / p95", p50_p95([ms for _, ms, _ in measured])))
    return rows


class PrecomputedQueries:
    """The provider, with the questions' vectors taken from the benchmark's cache instead of the model."""

    def __init__(self, provider, questions):
        self.model_name = provider.model_name
        self.vectors = {asked.text: asked.vector.tolist() for asked in questions}

    def embed_query(self, text):
        return self.vectors[text]


def keyword_rows(provider, questions, count):
    from unittest import mock

    from django.contrib.auth.models import AnonymousUser

    from tutor.indexing.text_search import config_for
    from tutor.retrieval import CANDIDATES_PER_RESULT, MIN_CANDIDATES, keyword_candidates, visible_chunks

    asked = cycle(questions, count)
    depth = max(LIMIT * CANDIDATES_PER_RESULT, MIN_CANDIDATES)
    visible = visible_chunks(AnonymousUser(), model_name=provider.model_name)
    old_ms, new_ms, kept = [], [], []
    for question in asked:  # alternating, so both see the same cache state
        config = config_for(question.language)
        old, elapsed = timed(legacy_keyword_candidates, visible, question.text, config, depth=depth)
        old_ms.append(elapsed)
        new, elapsed = timed(keyword_candidates, visible, question.text, config, depth=depth)
        new_ms.append(elapsed)
        kept.append(len(set(old) & set(new)) / len(old) if old else 1.0)
    cached = PrecomputedQueries(provider, questions)
    passes = {}
    for mode in ("hybrid", "keyword"):
        with mock.patch("tutor.retrieval.keyword_candidates", legacy_keyword_candidates):
            passes["old", mode] = database_times(cached, asked, mode)
        passes["new", mode] = database_times(cached, asked, mode)
    old_database = [ms for _, ms, _ in passes["old", "hybrid"]]
    new_database = [ms for _, ms, _ in passes["new", "hybrid"]]
    recall = {key: statistics.mean(recall for *_, recall in measured) for key, measured in passes.items()}
    return [
        ("keyword query, old (all words, all matches ranked) p50 / p95", p50_p95(old_ms)),
        ("keyword query, new (rarest words, bounded pool) p50 / p95", p50_p95(new_ms)),
        ("keyword query p95 old / new", ratio(old_ms, new_ms)),
        (f"keyword top {depth}: share of the old list the new one keeps", f"{statistics.mean(kept):.2f}"),
        ("retrieve() all but embed, old keyword query p50 / p95", p50_p95(old_database)),
        ("retrieve() all but embed, new keyword query p50 / p95", p50_p95(new_database)),
        ("retrieve() all but embed p95 old / new", ratio(old_database, new_database)),
        (
            "eval recall@5, hybrid, old / new keyword query",
            f"{recall['old', 'hybrid']:.3f} / {recall['new', 'hybrid']:.3f}",
        ),
        ("eval recall@5, keyword only, old / new", f"{recall['old', 'keyword']:.3f} / {recall['new', 'keyword']:.3f}"),
    ]


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, (time.perf_counter() - started) * 1000


def ratio(before, after):
    return f"{percentiles(before)[1] / percentiles(after)[1]:.1f}×"


def legacy_keyword_candidates(chunks, query, config="english", *, depth=10):
    """The keyword query before the scale work, kept as the benchmark's baseline: every word of
    the question ORed, every match ranked by ts_rank."""
    from django.contrib.postgres.search import SearchQuery, SearchRank
    from django.db.models import F

    words = re.findall(r"[^\W_]+", query.lower())
    if not words:
        return []
    search = SearchQuery(" | ".join(words), search_type="raw", config=config)
    ranked = chunks.filter(search_vector=search).annotate(rank=SearchRank(F("search_vector"), search))
    return list(ranked.order_by("-rank", "id")[:depth].values_list("id", flat=True))


def curve_rows(loaded, questions, model_name):
    """Per ef_search: recall@K and latency of retrieval's HNSW query over the learners' chunks, against exact search."""
    from django.contrib.auth.models import AnonymousUser
    from django.db import transaction

    from tutor.retrieval import set_search_parameters, vector_candidates, visible_chunks

    visible = visible_chunks(AnonymousUser(), model_name=model_name)
    exact = [exact_top(loaded, asked.vector, loaded.learners) for asked in questions]
    rows = []
    for ef_search in EF_CURVE:
        recalls, times = [], []
        for asked, expected in zip(questions, exact, strict=True):
            started = time.perf_counter()
            with transaction.atomic():
                set_search_parameters(ef_search)
                found = list(vector_candidates(visible, asked.vector)[:K].values_list("id", flat=True))
            times.append((time.perf_counter() - started) * 1000)
            recalls.append(recall(found, expected))
        rows.append((str(ef_search), f"{statistics.mean(recalls):.3f}", p50_p95(times).removesuffix(" ms")))
    return rows


def course_query_row(loaded, questions, model_name):
    """Recall@K and latency of retrieval's in-course vector query (exact by design) against NumPy."""
    from django.contrib.auth.models import AnonymousUser

    from tutor.retrieval import course_candidates, translation_ids, visible_chunks

    visible = visible_chunks(AnonymousUser(), model_name=model_name)
    recalls, times = [], []
    for asked in (asked for asked in questions if asked.course is not None):
        course_ids = list(translation_ids(asked.course)[0])
        expected = exact_top(loaded, asked.vector, loaded.learners & np.isin(loaded.course_ids, course_ids))
        started = time.perf_counter()
        found = course_candidates(visible.filter(course_id__in=course_ids), asked.vector, depth=K)
        times.append((time.perf_counter() - started) * 1000)
        recalls.append(recall(found, expected))
    label = "vector query in the course (exact) recall@10, p50 / p95"
    return label, f"{statistics.mean(recalls):.3f}, {p50_p95(times)}"


def recall(found, expected):
    return len(set(found) & expected) / len(expected) if expected else 1.0


def exact_top(loaded, vector, mask):
    """Ids of the K chunks nearest to ``vector`` (cosine) among those ``mask`` selects."""
    similarity = loaded.vectors @ vector
    similarity[~mask] = -np.inf
    count = min(K, int(mask.sum()))
    if count == 0:
        return set()
    best = np.argpartition(-similarity, count - 1)[:count]
    return set(loaded.ids[best].tolist())


def indexing_throughput(lesson, paragraphs=120):
    """Chunks per second through index_page (chunking, embedding, storing) on a fresh lesson."""
    from lessons.models import LessonPage
    from tutor.indexing.indexer import index_page

    words = WORDS * 3
    body = []
    for n in range(paragraphs):
        body.append(("heading", {"text": f"Section {n}", "anchor": ""}))
        sentence = " ".join(words[(n + i) % len(words)] for i in range(25)) + "."
        body.append(("paragraph", f"<p>{' '.join([sentence] * 6)}</p>"))
    page = lesson.get_parent().add_child(instance=LessonPage(title="Benchmark lesson", slug="bench-lesson", body=body))
    page.save_revision().publish()  # indexes it once (tasks run eagerly); the timed run embeds again
    page.tutor_chunks.all().delete()
    started = time.perf_counter()
    result = index_page(page)
    return result.embedded / (time.perf_counter() - started)


# The same measure before the ask view went async (sync view under WSGI, a new test client per question,
# whose first request also paid for loading the middleware), as `make bench` printed it on this machine.
BEFORE_ASYNC_VIEW = "363 / 811 ms"


def first_byte_rows(lesson, questions, count=60):
    """Time to first byte / first token of a streamed answer with a zero-latency model server, and where it goes.

    Each of the first ``count`` of ``questions`` (distinct: every one is embedded, as a new question
    is) is asked once, then again: the second time its vector comes from the shared cache, as when a
    class asks the same thing.
    """
    try:
        from tests.fake_openai import FakeOpenAI
        from tutor.quality.answer_timing import STAGES, time_answers
    except ImportError as error:
        return [("answer first byte / first token", f"not measured ({error})")]
    from django.contrib.auth import get_user_model
    from django.test import override_settings

    warm_up = ["why does the chatbot make up facts?", "what counts as personal data", "what makes a good prompt"]
    questions = [question for question in dict.fromkeys(questions) if question not in warm_up][:count]
    user = get_user_model().objects.create_user("bench-student", password="bench-only")  # noqa: S106
    server = FakeOpenAI().start()
    try:
        with override_settings(
            TUTOR_CHAT_MODEL="fake-chat",
            OPENAI_BASE_URL=server.url,
            OPENAI_API_KEY="bench",
            TUTOR_RATE_LIMIT="100000/h",
            TUTOR_SITE_MONTHLY_TOKENS=None,
            TUTOR_SITE_PER_LEARNER_MONTHLY_TOKENS=None,
            ALLOWED_HOSTS=["*"],
        ):
            timings = time_answers(user, lesson, warm_up + questions + questions, stages=True)[len(warm_up) :]
    finally:
        server.stop()
    failed = [t.status_code for t in timings if t.status_code != 200 or t.first_token_ms is None]
    if failed:
        return [("answer first byte / first token", f"not measured (status {failed[0]})")]
    new, again = timings[: len(questions)], timings[len(questions) :]
    rows = [
        ("answer first byte p50 / p95 (zero-latency model)", p50_p95([t.first_byte_ms for t in new])),
        ("answer first token p50 / p95 (zero-latency model)", p50_p95([t.first_token_ms for t in new])),
        ("answer first token p50 / p95, the same questions again", p50_p95([t.first_token_ms for t in again])),
        ("answer first token p50 / p95 before the async view (recorded)", BEFORE_ASYNC_VIEW),
    ]
    for label in dict.fromkeys(label for _, label in STAGES):
        rows.append((f"first token, part: {label} p50 / p95", p50_p95([t.stages.get(label, 0.0) for t in new])))
    return rows


def machine():
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"{os.cpu_count()} CPUs, load average (1, 5, 15 min) {load}"


def print_table(title, header, rows):
    """A Markdown table under its title, with the machine's load when it was done."""
    widths = [max(len(str(row[n])) for row in [header, *rows]) for n in range(len(header))]
    print(f"\n{title} ({machine()})\n")
    for row in [header, ["-" * width for width in widths], *rows]:
        print("| " + " | ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)) + " |")
