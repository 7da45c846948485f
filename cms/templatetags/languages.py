"""The language switcher and the ``hreflang`` alternates of ``base.html``.

``{% language_switcher %}`` links to what is being read in every other interface language (for a
Wagtail page its translations, see ``cms.languages``) and marks the current one. Someone signed in
switches through a small POST form, so the choice is also saved on their account.
``{% language_alternates %}`` writes the ``<link rel="alternate" hreflang>`` tags for the same URLs
(only real equivalents: no alternate points at another language's home page) and an ``x-default``
at the source-language version.
"""

from django import template
from django.urls import NoReverseMatch, reverse

from cms.languages import current_language, language_versions, source_language

register = template.Library()

LANGUAGE_VIEW = "account_language"


def _versions(context):
    request = context.get("request")
    if request is None or getattr(request, "is_preview", False):  # previews are not pages anyone links to
        return []
    return language_versions(request, context.get("page"))


def _language_view_url():
    try:
        return reverse(LANGUAGE_VIEW)
    except NoReverseMatch:  # not routed: the switcher still works, without saving the choice
        return None


@register.inclusion_tag("cms/includes/language_switcher.html", takes_context=True)
def language_switcher(context):
    user = context.get("user")
    signed_in = bool(user and user.is_authenticated)
    return {
        "languages": _versions(context),
        "current_language": current_language(),
        "save_url": _language_view_url() if signed_in else None,
    }


@register.inclusion_tag("cms/includes/language_alternates.html", takes_context=True)
def language_alternates(context):
    request = context.get("request")
    versions = [version for version in _versions(context) if version.is_equivalent]
    alternates = [(version.code, request.build_absolute_uri(version.url)) for version in versions]
    default = next((url for code, url in alternates if code == source_language()), None)
    return {"alternates": alternates, "x_default": default}
