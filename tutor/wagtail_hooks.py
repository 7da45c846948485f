"""How the tutor plugs into the site: its panel, links and admin, through hooks only.

Pages of ``cms`` and ``lessons`` mark slots with ``{% extension_point %}``
(``cms/templatetags/extension_points.py``); the functions here fill them. The admin gets the index
report and a button per lesson, and the organisations' tutor budgets.
"""

from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext_lazy, ngettext
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.admin.widgets import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from tutor.indexing.indexer import INDEXED_PAGE_MODELS
from tutor.indexing.views import (
    REPORT_PERMISSIONS,
    TutorIndexReportView,
    index_state,
    page_permission_policy,
    report_url_for,
    status_label,
)
from tutor.models import OrganisationBudget
from tutor.oversight.selectors import (
    flags_for_reader,
    organisations_overseen_by,
    organisations_reading_learner,
    readings_of,
)
from tutor.personal_data import delete_conversations, tutor_sections
from tutor.templatetags.oversight import signed_in_user
from tutor.templatetags.tutor import tutor_panel_context


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
        gettext_lazy("Tutor index"), reverse("tutor_index_report"), name="tutor-index", icon_name="search", order=1000
    )


@hooks.register("register_page_listing_more_buttons")
def tutor_index_button(page, user, next_url=None):
    """On each lesson and course in the page explorer: its index status, linking to the report."""
    if page.specific_class and page.specific_class._meta.model_name in INDEXED_PAGE_MODELS:
        chunks = index_state(page, "chunk_count", 0)
        # English keeps "1 chunks" (the admin's wording so far); other languages get their plural forms.
        label = ngettext(
            "Tutor index: %(status)s, %(chunks)d chunks", "Tutor index: %(status)s, %(chunks)d chunks", chunks
        ) % {"status": status_label(page), "chunks": chunks}
        yield Button(label, report_url_for(page), icon_name="search", priority=70)


@hooks.register("lesson_page_aside")
def tutor_panel(context, page):
    return render_to_string("tutor/includes/panel.html", tutor_panel_context(context, page))


@hooks.register("signed_in_navigation", order=100)
def tutor_oversight_navigation(context):
    """A "Tutor oversight" item for teachers and organisation admins; nothing for everyone else."""
    user = signed_in_user(context)
    if user is None or not organisations_overseen_by(user).exists():
        return ""
    return render_to_string("tutor/oversight/includes/nav_link.html")


@hooks.register("group_page_links")
def tutor_oversight_group_links(context, group):
    user = signed_in_user(context)
    open_flags = flags_for_reader(user, group.organisation).count() if user else 0
    return render_to_string("tutor/oversight/includes/group_links.html", {"group": group, "open_flags": open_flags})


@hooks.register("organisation_page_sections")
def tutor_oversight_organisation_section(context, organisation):
    return render_to_string("tutor/oversight/includes/organisation_section.html", {"organisation": organisation})


@hooks.register("dashboard_sections")
def tutor_readings_dashboard_section(context):
    """A link to "who read my tutor conversations" for learners whom some organisation can read, or was read by."""
    user = signed_in_user(context)
    if user is None or not (organisations_reading_learner(user).exists() or readings_of(user).exists()):
        return ""
    return render_to_string("tutor/oversight/includes/dashboard_readings.html")


@hooks.register("personal_data_sections")
def tutor_personal_data_sections(user):
    return tutor_sections(user)


@hooks.register("before_delete_account")
def erase_tutor_conversations(user):
    """Deleted here, not left to the user foreign key, so that the rule does not hang on how it is declared."""
    delete_conversations(user)


@hooks.register("account_deletion_consequences")
def tutor_deletion_consequences(context):
    return render_to_string("tutor/includes/account_deletion.html")


class OrganisationBudgetViewSet(SnippetViewSet):
    """Site administrators set each organisation's monthly tutor budget (superusers by default)."""

    model = OrganisationBudget
    icon = "pick"
    menu_label = gettext_lazy("Tutor budgets")
    menu_order = 310
    add_to_admin_menu = True
    list_display = ["organisation", "monthly_question_budget", "monthly_token_budget", "per_learner_monthly_tokens"]
    search_fields = ["organisation__name"]
    panels = [
        FieldPanel("organisation"),
        FieldPanel("monthly_question_budget"),
        FieldPanel("monthly_token_budget"),
        FieldPanel("per_learner_monthly_tokens"),
    ]


register_snippet(OrganisationBudgetViewSet)
