"""Find the course passages that answer a question, among those the asking user may see.

Hybrid retrieval: pgvector nearest neighbours (cosine distance, served by the HNSW index
``chunk_embedding_hnsw``) and PostgreSQL full-text ranking, each giving a ranked candidate list,
fused by reciprocal rank (RRF, k=60) so neither score scale has to be calibrated against the other.
Chunks of the current lesson, then of the current course, get a multiplicative boost.

Who may see what is decided here, before anything reaches a prompt: only live pages, Wagtail view
restrictions honoured (login / groups checked per user; password-protected pages are never
returned, a tutor question cannot carry the password), teacher-only chunks only for users who may
see teacher material, and only chunks embedded by the current model.
"""

import re
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import translation
from pgvector.django import CosineDistance
from wagtail.models import Page, PageViewRestriction

from lessons.authoring.roles import can_see_teacher_material
from tutor.indexing.embeddings import get_provider
from tutor.indexing.indexer import indexed_page_models
from tutor.indexing.text_search import config_for
from tutor.models import Chunk, Visibility

MODES = ("hybrid", "vector", "keyword")
RRF_K = 60
EF_SEARCH = 100  # HNSW candidate list per query; pgvector's default of 40 loses recall
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
_WORD = re.compile(r"[^\W_]+")


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


def retrieve(query, *, user, lesson=None, course=None, limit=6, mode="hybrid", provider=None, language=None):
    """The ``limit`` best chunks for ``query`` that ``user`` may see, best first.

    ``language`` is the learner's (default: the active language). Chunks in it are preferred, and
    the current lesson and course count in every language they are translated into, so a
    question about a lesson that has no translation yet finds the original. The current course
    gets candidates of its own: a question pulls towards texts in its own language, and without
    them a Russian question on an English-only course would only see Russian lessons of others.
    """
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    if course is None and lesson is not None:
        course = lesson.get_parent()
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    query = (query or "").strip()
    if not query or limit < 1:
        return []
    course_ids = translation_ids(course)  # the current course in every language it is translated into
    provider = provider or get_provider()
    visible = visible_chunks(user, model_name=provider.model_name)
    depth = max(limit * CANDIDATES_PER_RESULT, MIN_CANDIDATES)
    vector = provider.embed_query(query) if mode != "keyword" else None
    rankings = []  # (weight, ranked chunk ids)
    with transaction.atomic():
        if vector is not None:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL hnsw.ef_search = %s", [EF_SEARCH])
                if supports_iterative_scan():  # keep scanning the graph while filters reject candidates
                    cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
            ids = vector_candidates(visible, vector)[:depth].values_list("id", flat=True)
            rankings.append((VECTOR_WEIGHT, list(ids)))
            if course is not None:
                in_course = visible.filter(course_id__in=course_ids)
                ids = vector_candidates(in_course, vector)[:depth].values_list("id", flat=True)
                rankings.append((VECTOR_WEIGHT, list(ids)))
        if mode != "vector":
            ids = keyword_candidates(visible, query, config_for(language))[:depth].values_list("id", flat=True)
            rankings.append((KEYWORD_WEIGHT, list(ids)))
    fused = fuse(rankings)
    return _results(
        fused, vector, lesson_ids=translation_ids(lesson), course_ids=course_ids, language=language, limit=limit
    )


@cache
def supports_iterative_scan():
    """pgvector 0.8 added iterative index scans; an external server may run an older version."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        row = cursor.fetchone()
    version = tuple(int(part) for part in re.findall(r"\d+", row[0])[:2]) if row else (0, 0)
    return version >= (0, 8)


def visible_chunks(user, *, model_name):
    """Chunks of live pages that ``user`` passes every view restriction of, by the current model.

    The visible pages are resolved first into a plain id list (a course has tens of lessons), so
    the vector query is a single-table scan the planner serves from the HNSW index, not a join.
    """
    chunks = Chunk.objects.filter(page_id__in=visible_page_ids(user), embedding_model=model_name)
    if not can_see_teacher_material(user):
        chunks = chunks.filter(visibility=Visibility.LEARNERS)
    return chunks


def visible_page_ids(user):
    pages = Page.objects.live().type(*indexed_page_models())
    blocked = Q()
    for path in blocked_paths(user):
        blocked |= Q(path__startswith=path)
    if blocked:
        pages = pages.exclude(blocked)
    return list(pages.values_list("id", flat=True))


def blocked_paths(user):
    """Tree paths of restricted pages this user does not pass (the restriction covers descendants)."""
    authenticated = bool(user and user.is_authenticated)
    group_ids = set(user.groups.values_list("id", flat=True)) if authenticated else set()
    paths = []
    for restriction in PageViewRestriction.objects.select_related("page").prefetch_related("groups"):
        kind = restriction.restriction_type
        if kind == PageViewRestriction.PASSWORD:
            passes = False
        elif kind == PageViewRestriction.LOGIN:
            passes = authenticated
        elif kind == PageViewRestriction.GROUPS:
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


def keyword_candidates(chunks, query, config="english"):
    """Full-text matches ranked by ts_rank; any of the question's words may match (OR), since
    learners ask in whole sentences and requiring every word would match almost nothing.
    ``config`` parses the question in the learner's language (see tutor.indexing.text_search)."""
    words = _WORD.findall(query.lower())
    if not words:
        return chunks.none()
    search = SearchQuery(" | ".join(words), search_type="raw", config=config)
    return (
        chunks.filter(search_vector=search)
        .annotate(rank=SearchRank(F("search_vector"), search))
        .order_by("-rank", "id")
    )


def fuse(rankings):
    """Weighted reciprocal-rank fusion: each (weight, list) adds weight / (k + rank) per chunk."""
    scores = {}
    for weight, ranking in rankings:
        for rank, chunk_id in enumerate(ranking, start=1):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + weight / (RRF_K + rank)
    return scores


def translation_ids(page):
    """The ids of ``page`` and of all its translations (none for no page)."""
    if page is None:
        return set()
    return set(Page.objects.filter(translation_key=page.translation_key).values_list("id", flat=True))


def _results(scores, vector, *, lesson_ids, course_ids, language, limit):
    boosted = {}
    chunks = Chunk.objects.filter(id__in=scores).select_related("page", "locale")
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
    return [_result(chunk, score) for chunk, score in _one_language_per_section(ranked)[:limit]]


def _one_language_per_section(ranked):
    """Drop a section's translations ranked below it: one section is one source, in its best language."""
    best_language, kept = {}, []
    for chunk, score in ranked:
        section = (chunk.page.translation_key, chunk.anchor)
        if best_language.setdefault(section, chunk.locale_id) == chunk.locale_id:
            kept.append((chunk, score))
    return kept


def _result(chunk, score):
    anchor = f"#{chunk.anchor}" if chunk.anchor else ""
    distance = getattr(chunk, "distance", None)
    return RetrievedChunk(
        chunk_id=chunk.id,
        page_id=chunk.page_id,
        course_id=chunk.course_id,
        url=page_path(chunk.page) + anchor,
        title=chunk.page.title,
        section=chunk.section_title,
        anchor=chunk.anchor,
        text=chunk.text,
        score=score,
        visibility=chunk.visibility,
        similarity=None if distance is None else 1.0 - distance,
        language=chunk.locale.language_code,
    )


def page_path(page: Page):
    """The page's URL path on its site ("/courses/ai-basics/lesson/"), relative so it works anywhere."""
    parts = page.get_url_parts()
    return parts[2] if parts else page.url_path
