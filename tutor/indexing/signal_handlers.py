"""Keep the tutor's index in step with the page tree.

* publish → index the page after the transaction commits (the worker must see the new revision);
* unpublish → its chunks go at once, in the same transaction (no window where a hidden page answers);
* move or privacy change → re-index the page and its descendants: ``index_page`` itself decides
  whether each stays indexed (course and heading path updated) or is removed (password-protected);
* delete → the database cascade on ``Chunk.page`` removes the chunks with the page.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from tutor.indexing.indexer import INDEXED_PAGE_MODELS, pages_in_subtree, remove_page
from tutor.tasks import index_page_task


def connect():
    page_published.connect(queue_index_on_publish, dispatch_uid="tutor_index_on_publish")
    page_unpublished.connect(remove_on_unpublish, dispatch_uid="tutor_remove_on_unpublish")
    post_page_move.connect(rescope_on_move, dispatch_uid="tutor_rescope_on_move")
    post_save.connect(rescope_on_privacy_change, sender=PageViewRestriction, dispatch_uid="tutor_privacy_saved")
    post_delete.connect(rescope_on_privacy_change, sender=PageViewRestriction, dispatch_uid="tutor_privacy_deleted")


def queue_index(page_ids):
    """After commit; ``robust`` so that an unreachable broker or, with tasks run eagerly, a failing
    embedding endpoint is logged (and shown in the admin's index report) instead of failing the
    editor's already committed publish."""
    for page_id in page_ids:
        transaction.on_commit(lambda page_id=page_id: index_page_task.delay(page_id), robust=True)


def _is_indexed_type(page):
    return page._meta.model_name in INDEXED_PAGE_MODELS


def queue_index_on_publish(sender, instance, **kwargs):
    """A lesson is re-indexed alone; a course with its lessons, whose heading paths carry its title."""
    if instance._meta.model_name == "coursepage":
        queue_index(pages_in_subtree(instance).live().values_list("pk", flat=True))
    elif _is_indexed_type(instance):
        queue_index([instance.pk])


def remove_on_unpublish(sender, instance, **kwargs):
    if _is_indexed_type(instance):
        remove_page(instance)


def rescope_on_move(sender, instance, **kwargs):
    moved = Page.objects.get(pk=instance.pk)  # the tree path as stored after the move
    queue_index(pages_in_subtree(moved).values_list("pk", flat=True))


def rescope_on_privacy_change(sender, instance, **kwargs):
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None:
        queue_index(pages_in_subtree(page).values_list("pk", flat=True))
