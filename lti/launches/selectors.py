"""Reads a launch needs: which page it opens, in which language, and what the LMS role means here.

A resource link names its page either with the custom parameter ``page`` (a page id, e.g. ``page=42``)
or with its target link URI, this site's ``/lti/pages/<id>/`` (what deep linking returns). Both are
inside the signed id_token; the URL the LMS posted to is not, so it is never read. Only live lessons
and courses that anyone may read (no view restriction, no unpublished ancestor) can be launched.
"""

from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from wagtail.models import Locale, Page

from cms.languages import supported_language
from lessons.models import CoursePage, LessonPage, Membership

LAUNCHABLE = (LessonPage, CoursePage)
TARGET_LINK_URI = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri"
PAGE_PARAMETER = "page"


def launchable_page(page_id):
    """The live, public lesson or course with this id, or None."""
    page = Page.objects.live().public().filter(pk=page_id).specific().first()
    if not isinstance(page, LAUNCHABLE) or Page.objects.ancestor_of(page).filter(depth__gt=1, live=False).exists():
        return None
    return page


def _page_id_in_target_link(uri):
    try:
        match = resolve(urlsplit(uri or "").path)
    except Resolver404:
        return None
    return match.kwargs.get("page_id") if match.view_name == "lti:page" else None


def target_page(lti_launch):
    """The page the resource link opens (custom ``page`` first, then the target link URI), or None."""
    page_id = lti_launch.get_custom_claim(PAGE_PARAMETER) or _page_id_in_target_link(
        lti_launch.get_claim(TARGET_LINK_URI)
    )
    if not str(page_id or "").strip().isdigit():
        return None
    return launchable_page(int(page_id))


def launch_language(lti_launch):
    """The interface language the LMS asks for (``launch_presentation.locale``), if the site has it."""
    return supported_language((lti_launch.launch_presentation_claim or {}).get("locale"))


def in_language(page, language):
    """``page``'s live translation into ``language`` if there is one, else ``page`` itself."""
    locale = Locale.objects.filter(language_code=language).first() if language else None
    translation = page.get_translation_or_none(locale) if locale and locale.pk != page.locale_id else None
    return translation.specific if translation is not None and translation.live else page


def group_role(lti_membership):
    """The class role an LMS course role maps to: instructors and course admins teach, learners learn."""
    if lti_membership is None:
        return None
    if lti_membership.is_instructor or lti_membership.is_administrator:
        return Membership.Role.TEACHER
    if lti_membership.is_learner:
        return Membership.Role.LEARNER
    return None


def may_pick_content(lti_membership):
    """Deep linking adds content to the LMS course: its instructors, admins and content developers may."""
    return lti_membership is not None and (
        lti_membership.is_instructor or lti_membership.is_administrator or lti_membership.is_content_developer
    )
