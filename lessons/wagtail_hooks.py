"""Admin and page hooks of the lessons app: authoring set-up, reading progress, navigation, organisations."""

from django.contrib import messages
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .authoring.quiz_checks import page_quiz_warnings
from .authoring.services import ensure_catalogue_authoring
from .authoring.translations import REPORT_PERMISSIONS, TranslationsReportView
from .learning.personal_data import learning_sections, revoke_certificates
from .learning.services import record_lesson_visit
from .models import CourseIndexPage, LessonPage, Organisation
from .organisations.personal_data import (
    delete_accepted_invitations,
    keep_anonymised_training_records,
    membership_section,
)
from .organisations.selectors import can_manage_groups
from .organisations.wording import wording_for_user


@hooks.register("after_create_page")
def set_up_authoring_for_new_catalogue(request, page):
    """A catalogue made by hand in the admin gets the same group permissions and review workflow as the demo one."""
    if isinstance(page.specific, CourseIndexPage):
        ensure_catalogue_authoring(page)


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def warn_about_quiz_answer_patterns(request, page):
    """Show the author, after each save, any answer pattern that would let a learner guess (see quiz_checks)."""
    for warning in page_quiz_warnings(page.specific):
        messages.warning(request, warning)


@hooks.register("before_serve_page")
def record_lesson_reading(page, request, serve_args, serve_kwargs):
    """ "Read" = an enrolled learner opened the live lesson. Wagtail calls no serve hook for previews."""
    if isinstance(page, LessonPage) and request.user.is_authenticated:
        record_lesson_visit(user=request.user, lesson=page)


@hooks.register("signed_in_navigation", order=0)
def learning_navigation(context):
    user = context["request"].user
    links = {"manages_groups": can_manage_groups(user), "words": wording_for_user(user)}
    return render_to_string("lessons/includes/navigation.html", links)


@hooks.register("welcome_next_steps")
def learning_next_steps(context):
    """A new account's first choices: join a class with its code, or pick a course."""
    return render_to_string("lessons/includes/welcome_next_steps.html", {"LANGUAGE_CODE": context.get("LANGUAGE_CODE")})


@hooks.register("personal_data_sections")
def learning_record_sections(user):
    return [*learning_sections(user), membership_section(user)]


@hooks.register("before_delete_account")
def erase_learning_record(user):
    """Anonymised training records first: they read the certificates that revoking unlinks."""
    keep_anonymised_training_records(user)
    revoke_certificates(user)
    delete_accepted_invitations(user)


@hooks.register("account_deletion_consequences")
def learning_record_deletion_consequences(context):
    return render_to_string("lessons/includes/account_deletion.html")


class OrganisationViewSet(SnippetViewSet):
    """Site administrators create schools and businesses here.

    Only users with the model permissions (superusers by default) reach it; teachers run their
    groups from the learner-facing pages instead.
    """

    model = Organisation
    icon = "group"
    menu_label = _("Organisations")
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]
    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("kind")]


register_snippet(OrganisationViewSet)


@hooks.register("register_admin_urls")
def translations_report_urls():
    return [
        path("reports/translations/", TranslationsReportView.as_view(), name="lesson_translations_report"),
        path(
            "reports/translations/results/",
            TranslationsReportView.as_view(results_only=True),
            name="lesson_translations_report_results",
        ),
    ]


class TranslationsMenuItem(MenuItem):
    def is_shown(self, request):
        return TranslationsReportView.permission_policy.user_has_any_permission(request.user, REPORT_PERMISSIONS)


@hooks.register("register_reports_menu_item")
def translations_menu_item():
    return TranslationsMenuItem(
        _("Translations"), reverse("lesson_translations_report"), name="translations", icon_name="globe", order=900
    )
