"""Keep a page's chunks in step with its published content.

``index_page`` chunks the page, reuses the stored embedding of every chunk whose content hash is
unchanged (same text, heading path, anchor, visibility and model: never re-embedded), embeds the
rest in batches *outside* any transaction (a slow or failing model never holds locks, and the old
chunks stay searchable meanwhile), then in one short transaction inserts the new chunks, updates
the kept ones and deletes the stale ones. Running it twice leaves the same index.

Old text must never come back: two runs for the same page can overlap (a publish while the last
one is still embedding, a Celery retry, ``tutor_reindex``), and the slower one may have chunked an
older revision. So each run notes the page's live revision *before* reading its content, and the
swap, under a lock on the page's ``PageIndexState`` row, goes ahead only if that revision is still
the page's live one; otherwise the run is ``superseded`` and changes nothing (the run queued by the
newer publish stores it). The revision stored is recorded as ``indexed_revision_id``. "Newer" means
published later, not a higher id: a scheduled or rolled-back revision can go live after one with a
higher id, and it is then the one to index.

Which pages are indexed: live lesson and course pages that are not password-protected (a password
cannot be checked for a tutor question, so such pages are never retrieved). Pages restricted to
logged-in users or groups are indexed; retrieval checks those restrictions per user at query time.
"""

import hashlib
import logging
from dataclasses import dataclass

from django.contrib.postgres.search import SearchVector
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction

from tutor.indexing.chunking import chunk_page
from tutor.indexing.embeddings import get_provider
from tutor.indexing.text_search import config_for
from tutor.models import Chunk, PageIndexState

logger = logging.getLogger(__name__)

INDEXED_PAGE_MODELS = ("lessonpage", "coursepage")


@dataclass(frozen=True)
class IndexResult:
    page_id: int
    embedded: int = 0
    reused: int = 0
    deleted: int = 0
    superseded: bool = False  # chunked an older revision than the page has now: nothing was stored

    @property
    def changed(self):
        return bool(self.embedded or self.deleted)


def content_hash(draft, model_name):
    parts = (model_name, draft.visibility, draft.anchor, draft.heading_path, draft.text)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def is_indexable(page):
    """Live lesson/course pages outside any password restriction."""
    if page.specific_class is None or page.specific_class._meta.model_name not in INDEXED_PAGE_MODELS:
        return False
    if not page.live:
        return False
    return not password_restricted_paths().filter(path__in=_ancestor_paths(page.path)).exists()


def password_restricted_paths():
    return Page.objects.filter(
        id__in=PageViewRestriction.objects.filter(restriction_type=PageViewRestriction.PASSWORD).values("page_id")
    )


def _ancestor_paths(path):
    return [path[:length] for length in range(Page.steplen, len(path) + 1, Page.steplen)]


def index_page(page, *, provider=None):
    """Bring the page's chunks up to date (or remove them if it should not be indexed)."""
    page = Page.objects.get(pk=page.pk)  # fresh: live state and content as committed now
    if not is_indexable(page):
        return remove_page(page)
    revision_id = page.live_revision_id  # read before the content, so the content is never older than it
    page = page.specific
    provider = provider or get_provider()
    model = provider.model_name
    drafts = chunk_page(page)
    hashes = [content_hash(draft, model) for draft in drafts]
    known = dict(
        Chunk.objects.filter(page=page, embedding_model=model, content_hash__in=hashes).values_list(
            "content_hash", "embedding"
        )
    )
    missing = {h: draft for h, draft in zip(hashes, drafts, strict=True) if h not in known}
    _set_state(page, status=PageIndexState.Status.INDEXING)
    try:
        vectors = provider.embed([draft.embedding_input for draft in missing.values()])
    except Exception as error:
        _set_state(page, status=PageIndexState.Status.FAILED, last_error=f"{type(error).__name__}: {error}")
        raise
    known.update(zip(missing, vectors, strict=True))
    with transaction.atomic():
        return _store(page, revision_id, drafts, hashes, known, model, embedded=len(missing))


def _superseded(current, revision_id):
    """Whether chunks of ``revision_id`` are no longer what the page shows.

    ``current`` is the page's ``live`` and ``live_revision_id`` read after the state row was locked,
    so a newer publish whose run stored its chunks meanwhile, or an unpublish, is seen.
    """
    return current is None or not current["live"] or current["live_revision_id"] != revision_id


def _store(page, revision_id, drafts, hashes, vectors, model, *, embedded):
    """Swap the page's chunks to the new set unless a newer revision got there first (caller holds the transaction)."""
    state, _ = PageIndexState.objects.select_for_update().get_or_create(page_id=page.pk)
    current = Page.objects.filter(pk=page.pk).values("live", "live_revision_id").first()
    if _superseded(current, revision_id):
        logger.info("Index of page %s from revision %s superseded by a newer one; not stored", page.pk, revision_id)
        if state.status == PageIndexState.Status.INDEXING:  # set by this run while embedding; the outcome stands
            live = current is not None and current["live"]
            state.status = PageIndexState.Status.INDEXED if live else PageIndexState.Status.REMOVED
            state.save(update_fields=["status", "updated_at"])
        return IndexResult(page_id=page.pk, superseded=True)
    course_id = page.get_parent().pk if page.specific_class._meta.model_name == "lessonpage" else page.pk
    existing = {}
    for chunk in Chunk.objects.filter(page_id=page.pk).select_for_update():
        existing.setdefault(chunk.content_hash, []).append(chunk)
    kept, new = [], []
    for draft, digest in zip(drafts, hashes, strict=True):
        fields = {
            "position": draft.position,
            "course_id": course_id,
            "locale_id": page.locale_id,
            "section_title": draft.section_title[:255],
            "heading_path": draft.heading_path[:600],
        }
        if existing.get(digest):
            chunk = existing[digest].pop()
            for name, value in fields.items():
                setattr(chunk, name, value)
            kept.append(chunk)
        else:
            new.append(
                Chunk(
                    page_id=page.pk,
                    anchor=draft.anchor[:100],
                    text=draft.text,
                    token_count=draft.token_count,
                    visibility=draft.visibility,
                    content_hash=digest,
                    embedding_model=model,
                    embedding=vectors[digest],
                    **fields,
                )
            )
    stale = [chunk.pk for chunks in existing.values() for chunk in chunks]
    Chunk.objects.filter(pk__in=stale).delete()
    Chunk.objects.bulk_update(kept, ["position", "course_id", "locale_id", "section_title", "heading_path"])
    created = Chunk.objects.bulk_create(new)
    if created:
        Chunk.objects.filter(pk__in=[chunk.pk for chunk in created]).update(
            search_vector=search_vector(config_for(page.locale.language_code))
        )
    state.status = PageIndexState.Status.INDEXED
    state.chunk_count = len(drafts)
    state.embedding_model = model
    state.indexed_revision_id = revision_id
    state.last_indexed_at = timezone.now()
    state.last_error = ""
    state.save()
    return IndexResult(page_id=page.pk, embedded=embedded, reused=len(kept) + len(new) - embedded, deleted=len(stale))


def search_vector(config):
    """Headings weigh more than body text in keyword ranking; ``config`` stems the page's language."""
    return SearchVector("heading_path", weight="A", config=config) + SearchVector("text", weight="B", config=config)


def remove_page(page):
    """Drop the page's chunks (unpublished, password-protected, no longer a lesson...)."""
    return remove_page_id(page.pk)


def remove_page_id(page_id):
    with transaction.atomic():
        deleted, _ = Chunk.objects.filter(page_id=page_id).delete()
        if Page.objects.filter(pk=page_id).exists():
            PageIndexState.objects.update_or_create(
                page_id=page_id,
                defaults={"status": PageIndexState.Status.REMOVED, "chunk_count": 0, "last_error": ""},
            )
    return IndexResult(page_id=page_id, deleted=deleted)


def _set_state(page, **fields):
    PageIndexState.objects.update_or_create(page_id=page.pk, defaults=fields)


def pages_in_subtree(page):
    """The page and its descendants that the tutor indexes (live or not), for re-scoping."""
    return Page.objects.descendant_of(page, inclusive=True).type(*indexed_page_models())


def indexed_page_models():
    from lessons.models import CoursePage, LessonPage

    return (CoursePage, LessonPage)


def indexable_pages():
    return [page for page in Page.objects.type(*indexed_page_models()).live().order_by("path") if is_indexable(page)]
