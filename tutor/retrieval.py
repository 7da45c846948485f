"""Find the course passages that answer a question, among those the asking user may see.

Hybrid retrieval: pgvector nearest neighbours (cosine distance, served by the HNSW index
``chunk_embedding_hnsw``) and PostgreSQL full-text ranking, each giving a ranked candidate list,
fused by reciprocal rank (RRF, k=60) so neither score scale has to be calibrated against the other.
Chunks of the current lesson, then of the current course, get a multiplicative boost.

Both lists stay cheap as the index grows: the HNSW search reads about ``EF_SEARCH`` candidates,
and the keyword search ranks at most ``KEYWORD_POOL`` matches (see ``keyword_candidates``).
``make bench`` measures each stage (tutor.quality.bench).

Who may see what is decided here, before anything reaches a prompt: only live pages, Wagtail view
restrictions honoured (login / groups checked per user; password-protected pages are never
returned, a tutor question cannot carry the password), teacher-only chunks only for users who may
see teacher material, and only chunks embedded by the current model.
"""

import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from types import SimpleNamespace

from django.conf import settings
from django.contrib.postgres.search import SearchQuery
from django.db import connection, transaction
from django.db.models import Q
from django.utils import translation
from pgvector import Vector
from pgvector.django import CosineDistance
from wagtail.models import Page, PageViewRestriction

from lessons.authoring.roles import can_see_teacher_material
from tutor.indexing.embeddings import get_provider
from tutor.indexing.text_search import config_for
from tutor.models import Chunk, Visibility

MODES = ("hybrid", "vector", "keyword")
RRF_K = 60
# HNSW candidate list per query (pgvector's default: 40). On course-like embeddings at 100k chunks
# recall@10 is 0.83 at 40, 0.94 at 100, 0.97 at 200, for a few ms either way (`make bench` prints the curve).
EF_SEARCH = 200
# Each list contributes its top max(2 × limit, 10). Deeper keyword lists add OR-matches on common
# words that push good vector hits down; on the eval set (README) depth 10 and a keyword weight of
# 0.5 gave recall@5 0.77 against 0.68 with depth 30 and equal weights. Chosen on those questions.
CANDIDATES_PER_RESULT = 2
MIN_CANDIDATES = 10
VECTOR_WEIGHT = 1.0
KEYWORD_WEIGHT = 1.0
LESSON_BOOST = 1.5
COURSE_BOOST = 3.0  # on top of the course's own candidates: see retrieve(); chosen on the eval sets
LANGUAGE_BOOST = 1.3  # the learner's own language first; other languages still answer (fallback)
# The most full-text matches ranked per question, and the budget of expected matches when the
# question's words are chosen: ranking reads every match's row (a heap page each, mostly), so this
# bounds the keyword half's cost at any index size. 200 halved that cost in `make bench` with the
# same hybrid recall at 100k chunks, but on the small demo curriculum it already left out words
# like "AI" (in 40% of its chunks) and lost two eval questions; 500 lost none (README).
KEYWORD_POOL = 500


@dataclass(frozen=True)
class RetrievedChunk:
    chunk_id: int
    page_id: int
    course_id: int | None
    url: str  # the page's URL path plus "#anchor" when the chunk belongs to a section
    title: str  # the lesson (or course) title
    section: str  # the section heading, "" before the first heading
    anchor: str
    text: str  # the chunk text without the heading-path prefix
    score: float  # fused score, higher is better; comparable within one result list only
    visibility: str
    similarity: float | None = None  # cosine similarity to the question (None in keyword mode)
    language: str = ""  # the language code of the chunk's page


def retrieve(
    query,
    *,
    user,
    lesson=None,
    course=None,
    limit=6,
    mode="hybrid",
    provider=None,
    language=None,
    timings=None,
):
    """The ``limit`` best chunks for ``query`` that ``user`` may see, best first.

    ``language`` is the learner's (default: the active language). Chunks in it are preferred, and
    the current lesson and course count in every language they are translated into, so a
    question about a lesson that has no translation yet finds the original. The current course
    gets candidates of its own: a question pulls towards texts in its own language, and without
    them a Russian question on an English-only course would only see Russian lessons of others.
    ``timings``, a dict, receives the milliseconds of each stage (scope, embed, vector, keyword,
    fuse) for the benchmark.
    """
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    if course is None and lesson is not None:
        course = lesson.get_parent()
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    query = (query or "").strip()
    if not query or limit < 1:
        return []
    provider = provider or get_provider()
    with _stage(timings, "scope"):
        # the current course and lesson in every language they are translated into
        course_ids, lesson_ids = translation_ids(course, lesson)
        visible = visible_chunks(user, model_name=provider.model_name)
    depth = max(limit * CANDIDATES_PER_RESULT, MIN_CANDIDATES)
    vector_rankings, keyword_rankings = [], []  # (weight, ranked chunk ids)
    if mode != "vector":  # first: the vector may still be on its way (embedded in a worker thread)
        with _stage(timings, "keyword"):
            ids = keyword_candidates(visible, query, config_for(language), depth=depth)
            keyword_rankings.append((KEYWORD_WEIGHT, ids))
    vector = None
    if mode != "keyword":
        # Waited for outside a transaction: behind PgBouncer (transaction mode) it holds no server connection.
        with _stage(timings, "embed"):
            vector = provider.embed_query(query)
        with _stage(timings, "vector"), transaction.atomic():  # the search settings are SET LOCAL
            set_search_parameters()
            ids = vector_candidates(visible, vector)[:depth].values_list("id", flat=True)
            vector_rankings.append((VECTOR_WEIGHT, list(ids)))
            if course is not None:
                in_course = visible.filter(course_id__in=course_ids)
                vector_rankings.append((VECTOR_WEIGHT, course_candidates(in_course, vector, depth=depth)))
    with _stage(timings, "fuse"):
        fused = fuse(vector_rankings + keyword_rankings)
        return _results(fused, vector, lesson_ids=lesson_ids, course_ids=course_ids, language=language, limit=limit)


@contextmanager
def _stage(timings, name):
    if timings is None:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + (time.perf_counter() - started) * 1000


def set_search_parameters(ef_search=None):
    """HNSW search settings for the current transaction (SET LOCAL: they end with it)."""
    settings_sql = "SELECT set_config('hnsw.ef_search', %s, true)"
    if supports_iterative_scan():  # keep scanning the graph while filters reject candidates
        settings_sql += ", set_config('hnsw.iterative_scan', 'relaxed_order', true)"
    with connection.cursor() as cursor:
        cursor.execute(settings_sql, [str(ef_search or EF_SEARCH)])  # one round trip for both


@cache
def supports_iterative_scan():
    """pgvector 0.8 added iterative index scans; an external server may run an older version."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        row = cursor.fetchone()
    version = tuple(int(part) for part in re.findall(r"\d+", row[0])[:2]) if row else (0, 0)
    return version >= (0, 8)


def visible_chunks(user, *, model_name):
    """Chunks by the current model on no page that a view restriction hides from ``user``.

    The index holds chunks of live pages only: unpublishing a page deletes them in its own
    transaction, and ``tutor_reindex`` drops any left behind. So the filter names the few pages
    hidden from this user instead of every page they may see: a list of visible pages grows with
    the site (2,000 ids in each of a question's three chunk queries at 100k chunks, 20,000 at 1M),
    the hidden ones with its restrictions. ``_results`` checks that the final candidates' pages are
    live, for a chunk that outlived its page's publication some other way.
    """
    chunks = Chunk.objects.filter(embedding_model=model_name)
    hidden = hidden_page_ids(user)
    if hidden:
        chunks = chunks.exclude(page_id__in=hidden)
    if not can_see_teacher_material(user):
        chunks = chunks.filter(visibility=Visibility.LEARNERS)
    return chunks


def hidden_page_ids(user):
    """Ids of the pages under a view restriction ``user`` does not pass (none when nothing is restricted)."""
    paths = blocked_paths(user)
    if not paths:
        return []
    under_blocked = Q()
    for path in paths:
        under_blocked |= Q(path__startswith=path)
    return list(Page.objects.filter(under_blocked).values_list("id", flat=True))


def blocked_paths(user):
    """Tree paths of restricted pages this user does not pass (the restriction covers descendants)."""
    authenticated = bool(user and user.is_authenticated)
    group_ids = None  # the user's groups, read only if a restriction names groups
    paths = []
    for restriction in PageViewRestriction.objects.select_related("page").prefetch_related("groups"):
        kind = restriction.restriction_type
        if kind == PageViewRestriction.PASSWORD:
            passes = False
        elif kind == PageViewRestriction.LOGIN:
            passes = authenticated
        elif kind == PageViewRestriction.GROUPS:
            if authenticated and group_ids is None:
                group_ids = set(user.groups.values_list("id", flat=True))
            passes = authenticated and (
                user.is_superuser or bool(group_ids & {group.id for group in restriction.groups.all()})
            )
        else:
            passes = True
        if not passes:
            paths.append(restriction.page.path)
    return paths


def vector_candidates(chunks, vector):
    """Nearest first by cosine distance: ORDER BY embedding <=> query, which the HNSW index serves."""
    return chunks.order_by(CosineDistance("embedding", vector))


def course_candidates(chunks, vector, *, depth):
    """Ids of the ``depth`` chunks among ``chunks`` (one course's) nearest to ``vector``, exactly, best first.

    A course holds a few hundred chunks however large the index grows, so they are read through
    the ``course_id`` index and sorted by distance: exact, and bounded by the course's size. Left
    to choose, the planner sometimes walked the HNSW graph instead, looking for a course that holds
    0.1% of the index: at 1M chunks that missed 8% of the true neighbours and took 280 ms at p95
    (``make bench``). The materialised CTE keeps the ORDER BY away from the HNSW index.
    """
    sql, params = chunks.order_by().values("id", "embedding").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH course AS MATERIALIZED ({sql}) "  # noqa: S608 - SQL compiled by the ORM
            "SELECT id FROM course ORDER BY embedding <=> %s::vector, id LIMIT %s",
            [*params, Vector(vector).to_text(), depth],
        )
        return [row[0] for row in cursor.fetchall()]


def keyword_candidates(chunks, query, config="english", *, depth=MIN_CANDIDATES):
    """Ids of the ``depth`` best full-text matches among ``chunks``, by ts_rank, best first.

    Any of the question's words may match (OR): learners ask in whole sentences, and requiring
    every word would match almost nothing. Ranking every match does not scale, though: in a
    large index common words ("AI", "data") match most chunks and ts_rank reads each one. So the
    question's lexemes are taken rarest first, by the share of chunks containing each in the
    statistics ANALYZE keeps (``pg_stats``), for as long as the expected matches stay within
    ``KEYWORD_POOL``; the commoner ones are left out like stop words (ts_rank weighs no word by
    its rarity, so they would only reward chunks that repeat them). The match, with the scoping
    filters of ``chunks``, is then limited to ``KEYWORD_POOL`` rows before ranking, a hard bound
    for when the statistics are stale or the rarest word is common. Without statistics (a new
    index) every lexeme is kept. ``config`` parses the question in the learner's language (see
    tutor.indexing.text_search).
    """
    lexemes = pooled_lexemes(question_lexemes(query, config))
    if not lexemes:
        return []
    search = LexemeQuery(lexemes)
    pool = chunks.filter(search_vector=search).order_by().values("id", "search_vector")[:KEYWORD_POOL]
    sql, params = pool.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM ({sql}) AS pool ORDER BY ts_rank(search_vector, %s::tsquery) DESC, id LIMIT %s",  # noqa: S608 - SQL compiled by the ORM
            [*params, search.text, depth],
        )
        return [row[0] for row in cursor.fetchall()]


def question_lexemes(query, config):
    """(lexeme, share of chunks containing it, chunk count) of the question's words, rarest first.

    The share comes from the column's most-common-elements statistics; a lexeme they do not
    list is rarer than any they do and counts as 0.
    """
    table = Chunk._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT question.lexeme, coalesce(stats.share, 0),
                   (SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = %s::regclass)
            FROM unnest(tsvector_to_array(to_tsvector(%s::regconfig, %s))) AS question (lexeme)
            LEFT JOIN (
                SELECT element.lexeme, element.share
                FROM pg_stats,
                     unnest(most_common_elems::text::text[], most_common_elem_freqs) AS element (lexeme, share)
                WHERE schemaname = current_schema() AND tablename = %s AND attname = 'search_vector'
            ) AS stats USING (lexeme)
            ORDER BY 2, 1
            """,
            [table, config, query, table],
        )
        return cursor.fetchall()


def pooled_lexemes(lexemes):
    """The rarest lexemes whose expected matches fit in KEYWORD_POOL (always the rarest one)."""
    chosen, expected = [], 0.0
    for lexeme, share, rows in lexemes:
        expected += share * rows
        if chosen and expected > KEYWORD_POOL:
            break
        chosen.append(lexeme)
    return chosen


class LexemeQuery(SearchQuery):
    """``'a' | 'b'`` of lexemes already normalised by ``to_tsvector``: cast to tsquery as they are,
    not parsed and stemmed a second time by a configuration."""

    template = "%(expressions)s::tsquery"

    def __init__(self, lexemes):
        self.text = " | ".join("'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'" for lexeme in lexemes)
        super().__init__(self.text, search_type="raw")


def fuse(rankings):
    """Weighted reciprocal-rank fusion: each (weight, list) adds weight / (k + rank) per chunk."""
    scores = {}
    for weight, ranking in rankings:
        for rank, chunk_id in enumerate(ranking, start=1):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + weight / (RRF_K + rank)
    return scores


def translation_ids(*pages):
    """For each page, the ids of it and of all its translations (none for None), in one query."""
    keys = {page.translation_key for page in pages if page is not None}
    found = Page.objects.filter(translation_key__in=keys).values_list("translation_key", "id") if keys else []
    ids = {}
    for key, page_id in found:
        ids.setdefault(key, set()).add(page_id)
    return tuple(set() if page is None else ids.get(page.translation_key, set()) for page in pages)


def _results(scores, vector, *, lesson_ids, course_ids, language, limit):
    boosted = {}
    chunks = Chunk.objects.filter(id__in=scores, page__live=True).select_related("page", "locale")
    if vector is not None:
        chunks = chunks.annotate(distance=CosineDistance("embedding", vector))
    for chunk in chunks.defer("embedding", "search_vector"):
        boost = 1.0
        if chunk.course_id in course_ids:
            boost *= COURSE_BOOST
        if chunk.page_id in lesson_ids:
            boost *= LESSON_BOOST
        if chunk.locale.language_code == language:
            boost *= LANGUAGE_BOOST
        boosted[chunk] = scores[chunk.id] * boost
    ranked = sorted(boosted.items(), key=lambda item: (-item[1], item[0].id))
    site_roots = SimpleNamespace()  # Wagtail keeps the sites' root paths on it: one lookup for all the results
    return [_result(chunk, score, site_roots) for chunk, score in _one_language_per_section(ranked)[:limit]]


def _one_language_per_section(ranked):
    """Drop a section's translations ranked below it: one section is one source, in its best language."""
    best_language, kept = {}, []
    for chunk, score in ranked:
        section = (chunk.page.translation_key, chunk.anchor)
        if best_language.setdefault(section, chunk.locale_id) == chunk.locale_id:
            kept.append((chunk, score))
    return kept


def _result(chunk, score, site_roots):
    anchor = f"#{chunk.anchor}" if chunk.anchor else ""
    distance = getattr(chunk, "distance", None)
    return RetrievedChunk(
        chunk_id=chunk.id,
        page_id=chunk.page_id,
        course_id=chunk.course_id,
        url=page_path(chunk.page, site_roots) + anchor,
        title=chunk.page.title,
        section=chunk.section_title,
        anchor=chunk.anchor,
        text=chunk.text,
        score=score,
        visibility=chunk.visibility,
        similarity=None if distance is None else 1.0 - distance,
        language=chunk.locale.language_code,
    )


def page_path(page: Page, site_roots=None):
    """The page's URL path on its site ("/courses/ai-basics/lesson/"), relative so it works anywhere.

    ``site_roots``: any object Wagtail may cache the sites' root paths on (its ``get_url_parts``
    takes a request for that), shared by the calls for one result list.
    """
    parts = page.get_url_parts(site_roots)
    return parts[2] if parts else page.url_path
