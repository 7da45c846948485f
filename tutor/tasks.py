"""Background indexing: the web request that publishes a page never waits for the embedding model."""

from celery import shared_task
from wagtail.models import Page

from tutor.indexing.embeddings import EmbeddingError
from tutor.indexing.indexer import index_page, remove_page
from tutor.personal_data import delete_expired_conversations


@shared_task(
    name="tutor.index_page",
    autoretry_for=(EmbeddingError,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def index_page_task(page_id):
    """Index (or un-index) one page as it is now; a page deleted meanwhile needs nothing."""
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return None
    result = index_page(page)
    return {
        "page_id": result.page_id,
        "embedded": result.embedded,
        "reused": result.reused,
        "deleted": result.deleted,
        "superseded": result.superseded,  # a newer publish stored its own chunks first
    }


@shared_task(name="tutor.remove_page")
def remove_page_task(page_id):
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return None
    return {"page_id": page_id, "deleted": remove_page(page).deleted}


@shared_task(name="tutor.delete_expired_conversations")
def delete_expired_conversations_task():
    """Run daily by Celery beat (``CELERY_BEAT_SCHEDULE``): conversations past the retention period go."""
    return {"deleted": delete_expired_conversations()}
