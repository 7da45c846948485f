"""Repair drift between the published pages and the tutor's index (``manage.py tutor_reindex``).

Every indexable page is passed through ``index_page``, which re-embeds only chunks whose content
hash or model changed, so a reconcile of an up-to-date index costs chunking time only. Chunks of
pages that should no longer be indexed (unpublished, password-protected, deleted types) go.

``rebuild`` starts from an empty index; it is how a change of embedding model or dimensions is
applied: when ``TUTOR_EMBEDDING_DIMENSIONS`` differs from the vector column, the column is altered
and the HNSW index recreated (vectors of different sizes never share the column).
"""

from dataclasses import dataclass, field

from django.db import connection, transaction

from tutor.indexing.embeddings import get_provider
from tutor.indexing.indexer import index_page, indexable_pages, remove_page_id
from tutor.models import Chunk, PageIndexState

HNSW_INDEX = "chunk_embedding_hnsw"


@dataclass
class Summary:
    pages: int = 0
    changed_pages: int = 0
    embedded: int = 0
    reused: int = 0
    deleted: int = 0
    removed_pages: int = 0
    failures: list = field(default_factory=list)


def reconcile(*, rebuild=False, provider=None, progress=iter):
    """Index every indexable page, drop chunks of the rest; ``progress`` wraps the page iterable."""
    provider = provider or get_provider()
    summary = Summary()
    if rebuild:
        summary.deleted += clear_index(dimensions=provider.dimensions)
    pages = indexable_pages()
    keep = {page.pk for page in pages}
    leftovers = set(Chunk.objects.exclude(page_id__in=keep).values_list("page_id", flat=True))
    leftovers |= set(
        PageIndexState.objects.exclude(page_id__in=keep)
        .exclude(status=PageIndexState.Status.REMOVED)
        .values_list("page_id", flat=True)
    )
    for page_id in sorted(leftovers):
        summary.deleted += remove_page_id(page_id).deleted
        summary.removed_pages += 1
    for page in progress(pages):
        summary.pages += 1
        try:
            result = index_page(page, provider=provider)
        except Exception as error:  # one broken page must not stop the others; reported below
            summary.failures.append((page.pk, page.title, f"{type(error).__name__}: {error}"))
            continue
        summary.changed_pages += result.changed
        summary.embedded += result.embedded
        summary.reused += result.reused
        summary.deleted += result.deleted
    return summary


def clear_index(*, dimensions):
    """Delete every chunk and make the vector column ``vector(dimensions)`` with its HNSW index."""
    table = Chunk._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        deleted = Chunk.objects.count()
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - table name from the model, not input
        PageIndexState.objects.update(status=PageIndexState.Status.QUEUED, chunk_count=0)
        if column_dimensions() != dimensions:
            # Deferred foreign-key checks from the delete must run before the table may be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"DROP INDEX IF EXISTS {HNSW_INDEX}")
            cursor.execute(f"ALTER TABLE {table} ALTER COLUMN embedding TYPE vector({int(dimensions)})")
            index = next(index for index in Chunk._meta.indexes if index.name == HNSW_INDEX)
            cursor.execute(
                f"CREATE INDEX {HNSW_INDEX} ON {table} USING hnsw (embedding vector_cosine_ops) "
                f"WITH ({', '.join(index.get_with_params())})"  # the parameters the model's index declares
            )
    return deleted


def column_dimensions():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT atttypmod FROM pg_attribute WHERE attrelid = %s::regclass AND attname = 'embedding'",
            [Chunk._meta.db_table],
        )
        return cursor.fetchone()[0]
