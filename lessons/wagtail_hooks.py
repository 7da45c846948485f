"""Admin hooks for course authoring."""

from wagtail import hooks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .authoring import ensure_catalogue_authoring
from .models import CourseIndexPage, Organisation


@hooks.register("after_create_page")
def set_up_authoring_for_new_catalogue(request, page):
    """A catalogue made by hand in the admin gets the same group permissions and review workflow as the demo one."""
    if isinstance(page.specific, CourseIndexPage):
        ensure_catalogue_authoring(page)


class OrganisationViewSet(SnippetViewSet):
    """Site administrators create schools and businesses and set their monthly tutor budgets here.

    Only users with the model permissions (superusers by default) reach it; teachers run their
    groups from the learner-facing pages instead.
    """

    model = Organisation
    icon = "group"
    menu_label = "Organisations"
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["name", "kind", "monthly_question_budget", "monthly_token_budget"]
    list_filter = ["kind"]
    search_fields = ["name"]
    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("kind"),
        MultiFieldPanel(
            [FieldPanel("monthly_question_budget"), FieldPanel("monthly_token_budget")],
            heading="Monthly tutor budget",
        ),
    ]


register_snippet(OrganisationViewSet)
