"""Wagtail admin report of the tutor's index: per lesson, its chunks, model, last run and last error.

Editors see here whether a lesson they published has reached the tutor (status "indexed"), is
waiting for the worker ("queued"/"indexing"), or failed and why, without reading worker logs.
"""

from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy

from tutor.indexing.indexer import pages_in_subtree

REPORT_PERMISSIONS = ["add", "change", "publish"]  # anyone who authors pages, as Wagtail's own reports
page_permission_policy = PagePermissionPolicy()


# How a page's index status reads in the admin (lower case, as in "Tutor index: indexed, 3 chunks").
STATUS_LABELS = {
    "not indexed": pgettext_lazy("tutor index status", "not indexed"),
    "queued": pgettext_lazy("tutor index status", "queued"),
    "indexing": pgettext_lazy("tutor index status", "indexing"),
    "indexed": pgettext_lazy("tutor index status", "indexed"),
    "removed": pgettext_lazy("tutor index status", "removed"),
    "failed": pgettext_lazy("tutor index status", "failed"),
}


def index_state(page, field, default=""):
    state = getattr(page, "tutor_index_state", None)
    return getattr(state, field) if state is not None else default


def status_label(page):
    """The page's index status in the admin's language."""
    status = index_state(page, "status", "not indexed")
    return str(STATUS_LABELS.get(status, status))


def yes_no(value):
    return gettext("yes") if value else gettext("no")


class TutorIndexReportView(ReportView):
    page_title = gettext_lazy("Tutor index")
    header_icon = "search"
    index_url_name = "tutor_index_report"
    index_results_url_name = "tutor_index_report_results"
    any_permission_required = REPORT_PERMISSIONS
    permission_policy = page_permission_policy
    list_export = ["title", "url_path", "live", "status", "chunks", "model", "last_indexed", "last_error"]
    export_headings = {
        "title": gettext_lazy("Title"),
        "url_path": gettext_lazy("URL path"),
        "live": gettext_lazy("Live"),
        "status": gettext_lazy("Status"),
        "chunks": gettext_lazy("Chunks"),
        "model": gettext_lazy("Model"),
        "last_indexed": gettext_lazy("Last indexed"),
        "last_error": gettext_lazy("Last error"),
    }
    columns = [
        TitleColumn("title", label=gettext_lazy("Page"), url_name="wagtailadmin_pages:edit"),
        Column("live", label=gettext_lazy("Live"), accessor=lambda page: yes_no(page.live)),
        Column("status", label=gettext_lazy("Status"), accessor=status_label),
        Column("chunks", label=gettext_lazy("Chunks"), accessor=lambda page: index_state(page, "chunk_count", 0)),
        Column("model", label=gettext_lazy("Model"), accessor=lambda page: index_state(page, "embedding_model")),
        DateColumn(
            "last_indexed",
            label=gettext_lazy("Last indexed"),
            accessor=lambda page: index_state(page, "last_indexed_at", None),
        ),
        Column("last_error", label=gettext_lazy("Last error"), accessor=lambda page: index_state(page, "last_error")),
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
