"""Admin entry points to the tutor's index status: a report under Reports, a button per lesson."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button

from tutor.admin_views import (
    REPORT_PERMISSIONS,
    TutorIndexReportView,
    index_state,
    page_permission_policy,
    report_url_for,
)
from tutor.indexing import INDEXED_PAGE_MODELS


@hooks.register("register_admin_urls")
def tutor_index_report_urls():
    return [
        path("reports/tutor-index/", TutorIndexReportView.as_view(), name="tutor_index_report"),
        path(
            "reports/tutor-index/results/",
            TutorIndexReportView.as_view(results_only=True),
            name="tutor_index_report_results",
        ),
    ]


class TutorIndexMenuItem(MenuItem):
    def is_shown(self, request):
        return page_permission_policy.user_has_any_permission(request.user, REPORT_PERMISSIONS)


@hooks.register("register_reports_menu_item")
def tutor_index_menu_item():
    return TutorIndexMenuItem(
        "Tutor index", reverse("tutor_index_report"), name="tutor-index", icon_name="search", order=1000
    )


@hooks.register("register_page_listing_more_buttons")
def tutor_index_button(page, user, next_url=None):
    """On each lesson and course in the page explorer: its index status, linking to the report."""
    if page.specific_class and page.specific_class._meta.model_name in INDEXED_PAGE_MODELS:
        status = index_state(page, "status", "not indexed")
        chunks = index_state(page, "chunk_count", 0)
        yield Button(f"Tutor index: {status}, {chunks} chunks", report_url_for(page), icon_name="search", priority=70)
