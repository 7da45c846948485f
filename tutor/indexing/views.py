"""Wagtail admin report of the tutor's index: per lesson, its chunks, model, last run and last error.

Editors see here whether a lesson they published has reached the tutor (status "indexed"), is
waiting for the worker ("queued"/"indexing"), or failed and why, without reading worker logs.
"""

from django.urls import reverse
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy

from tutor.indexing.indexer import pages_in_subtree

REPORT_PERMISSIONS = ["add", "change", "publish"]  # anyone who authors pages, as Wagtail's own reports
page_permission_policy = PagePermissionPolicy()


def index_state(page, field, default=""):
    state = getattr(page, "tutor_index_state", None)
    return getattr(state, field) if state is not None else default


class TutorIndexReportView(ReportView):
    page_title = "Tutor index"
    header_icon = "search"
    index_url_name = "tutor_index_report"
    index_results_url_name = "tutor_index_report_results"
    any_permission_required = REPORT_PERMISSIONS
    permission_policy = page_permission_policy
    list_export = ["title", "url_path", "live", "status", "chunks", "model", "last_indexed", "last_error"]
    columns = [
        TitleColumn("title", label="Page", url_name="wagtailadmin_pages:edit"),
        Column("live", label="Live", accessor=lambda page: "yes" if page.live else "no"),
        Column("status", label="Status", accessor=lambda page: index_state(page, "status", "not indexed")),
        Column("chunks", label="Chunks", accessor=lambda page: index_state(page, "chunk_count", 0)),
        Column("model", label="Model", accessor=lambda page: index_state(page, "embedding_model")),
        DateColumn(
            "last_indexed", label="Last indexed", accessor=lambda page: index_state(page, "last_indexed_at", None)
        ),
        Column("last_error", label="Last error", accessor=lambda page: index_state(page, "last_error")),
    ]

    def get_queryset(self):
        pages = pages_in_subtree(Page.get_first_root_node()).select_related("tutor_index_state")
        page_id = self.request.GET.get("page", "")
        if page_id.isdigit():
            pages = pages.filter(pk=int(page_id))
        return pages.order_by("path")

    def to_row_dict(self, page):
        """Spreadsheet export row: the same facts as the table."""
        return {
            "title": page.title,
            "url_path": page.url_path,
            "live": page.live,
            "status": index_state(page, "status", "not indexed"),
            "chunks": index_state(page, "chunk_count", 0),
            "model": index_state(page, "embedding_model"),
            "last_indexed": index_state(page, "last_indexed_at", None),
            "last_error": index_state(page, "last_error"),
        }


def report_url_for(page):
    return f"{reverse('tutor_index_report')}?page={page.pk}"
