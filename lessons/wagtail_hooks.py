"""Admin and page hooks of the lessons app: authoring set-up, reading progress, navigation, organisations."""

from django.template.loader import render_to_string
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .authoring.services import ensure_catalogue_authoring
from .learning.services import record_lesson_visit
from .models import CourseIndexPage, LessonPage, Organisation
from .organisations.selectors import can_manage_groups


@hooks.register("after_create_page")
def set_up_authoring_for_new_catalogue(request, page):
    """A catalogue made by hand in the admin gets the same group permissions and review workflow as the demo one."""
    if isinstance(page.specific, CourseIndexPage):
        ensure_catalogue_authoring(page)


@hooks.register("before_serve_page")
def record_lesson_reading(page, request, serve_args, serve_kwargs):
    """ "Read" = an enrolled learner opened the live lesson. Wagtail calls no serve hook for previews."""
    if isinstance(page, LessonPage) and request.user.is_authenticated:
        record_lesson_visit(user=request.user, lesson=page)


@hooks.register("signed_in_navigation", order=0)
def learning_navigation(context):
    user = context["request"].user
    return render_to_string("lessons/includes/navigation.html", {"manages_groups": can_manage_groups(user)})


class OrganisationViewSet(SnippetViewSet):
    """Site administrators create schools and businesses here.

    Only users with the model permissions (superusers by default) reach it; teachers run their
    groups from the learner-facing pages instead.
    """

    model = Organisation
    icon = "group"
    menu_label = "Organisations"
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]
    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("kind")]


register_snippet(OrganisationViewSet)
