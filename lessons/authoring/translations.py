"""Which translations of courses and lessons are out of date, for the admin's "Translations" report.

A translation is *out of date* when its source page (the page in the curriculum's source
language, ``CURRICULUM_SOURCE_LANGUAGE``) was published after the translation last was: the
source changed and nobody has carried the change over yet. The translator opens the translation
from the report, updates it and submits it to "Lesson review" like any other change. Timestamps
are the heuristic Wagtail itself offers; a translation republished without carrying the change
over counts as up to date.
"""

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy

from lessons.models import CoursePage, LessonPage

REPORT_PERMISSIONS = ["add", "change", "publish"]


def translations_with_source_dates():
    """Translated lessons and courses, each annotated with ``source_published_at``, oldest status first."""
    sources = Page.objects.filter(
        translation_key=OuterRef("translation_key"), locale__language_code=settings.CURRICULUM_SOURCE_LANGUAGE
    )
    return (
        Page.objects.type(CoursePage, LessonPage)
        .exclude(locale__language_code=settings.CURRICULUM_SOURCE_LANGUAGE)
        .filter(alias_of__isnull=True)
        .annotate(source_published_at=Subquery(sources.values("last_published_at")[:1]))
        .select_related("locale")
        .order_by("locale__language_code", "path")
    )


def is_out_of_date(page):
    if page.source_published_at is None:
        return False
    return page.last_published_at is None or page.last_published_at < page.source_published_at


def out_of_date_translations():
    return [page for page in translations_with_source_dates() if is_out_of_date(page)]


def status(page):
    return gettext_lazy("out of date") if is_out_of_date(page) else gettext_lazy("up to date")


class TranslationsReportView(ReportView):
    page_title = gettext_lazy("Translations")
    header_icon = "globe"
    index_url_name = "lesson_translations_report"
    index_results_url_name = "lesson_translations_report_results"
    any_permission_required = REPORT_PERMISSIONS
    permission_policy = PagePermissionPolicy()
    columns = [
        TitleColumn("title", label=gettext_lazy("Translation"), url_name="wagtailadmin_pages:edit"),
        Column("language", label=gettext_lazy("Language"), accessor=lambda page: page.locale.get_display_name()),
        Column("status", label=gettext_lazy("Status"), accessor=status),
        DateColumn("last_published_at", label=gettext_lazy("Translation published")),
        DateColumn("source_published_at", label=gettext_lazy("Source published")),
    ]

    def get_queryset(self):
        pages = translations_with_source_dates()
        if self.request.GET.get("status") == "out-of-date":
            return [page for page in pages if is_out_of_date(page)]
        return pages
