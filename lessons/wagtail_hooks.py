"""Admin hooks for course authoring."""

from wagtail import hooks

from .authoring import ensure_catalogue_authoring
from .models import CourseIndexPage


@hooks.register("after_create_page")
def set_up_authoring_for_new_catalogue(request, page):
    """A catalogue made by hand in the admin gets the same group permissions and review workflow as the demo one."""
    if isinstance(page.specific, CourseIndexPage):
        ensure_catalogue_authoring(page)
