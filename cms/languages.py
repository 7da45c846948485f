"""The interface languages: where the page being read lives in each language, and the language a person chose.

Every learner URL starts with its language (``/et/``, ``/ru/``, ``/en/``, ``/kk/``). A Wagtail page
lives in another language at the URL of its translation (same translation key), which may have other
slugs, and a language it has no live translation in is offered its home page instead. Any other view
is the same view with the language prefix swapped (Django's ``translate_url``).

Someone signed in who switches language keeps the choice on their account (``AccountPreferences``);
each log-in then opens the site in that language and sets Django's language cookie, so ``/`` sends
them there too.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.http import Http404
from django.urls import NoReverseMatch, Resolver404, resolve, reverse, translate_url
from django.utils import translation
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Page, Site

from cms.models import AccountPreferences

WAGTAIL_SERVE = "wagtail_serve"
LANGUAGE_PREFIX = re.compile(r"^/(\w+(?:[@-]\w+){0,2})(/|$)")  # as Django's i18n_patterns reads it


@dataclass(frozen=True)
class LanguageVersion:
    """One language of the page being read: ``url`` is where it is read in that language."""

    code: str
    name: str  # the language's name in that language ("Eesti", "Русский", …)
    url: str
    is_current: bool
    is_equivalent: bool  # False when ``url`` is only that language's home page (no translation)


def supported_language(code):
    """``code`` as one of settings.LANGUAGES ("ru-RU" → "ru"), or None."""
    try:
        return translation.get_supported_language_variant(code or "")
    except LookupError:
        return None


def current_language():
    return supported_language(translation.get_language()) or settings.LANGUAGE_CODE


def source_language():
    """The language the content is written in first; the others translate it (x-default)."""
    return getattr(settings, "CURRICULUM_SOURCE_LANGUAGE", "en")


def home_url(language):
    """The home page of ``language``: ``/ru/`` serves the Russian home page, or the default one in Russian."""
    with translation.override(language):
        try:
            return reverse(WAGTAIL_SERVE, args=("",))
        except NoReverseMatch:
            return f"/{language}/"


def _content_language(language):
    """The content language whose pages are read in ``language``, or None (Kazakh has no content yet)."""
    try:
        return get_supported_content_language_variant(language)
    except LookupError:
        return None


def _swap_prefix(url, language):
    """``/en/x/?q`` → ``/ru/x/?q`` for a URL whose path starts with a language prefix; else unchanged."""
    parts = urlsplit(url)
    if not translation.get_language_from_path(parts.path):
        return url
    path = LANGUAGE_PREFIX.sub(f"/{language}\\2", parts.path, count=1)
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))


def path_in_language(url, language):
    """The same view in ``language``: Django's ``translate_url``, or the prefix swapped when it cannot resolve."""
    path_language = translation.get_language_from_path(urlsplit(url).path)
    if path_language == language:
        return url
    with translation.override(path_language or current_language()):
        translated = translate_url(url, language)
    return translated if translated != url else _swap_prefix(url, language)


def _live_translations(page):
    """``{content language: page}`` for ``page`` and its live translations, in one query."""
    translations = {page.locale.language_code: page}
    for translated in page.get_translations().live().select_related("locale"):
        translations[translated.locale.language_code] = translated
    return translations


def _translation_url(translations, language, request):
    translated = translations.get(_content_language(language))
    if translated is None:
        return None
    with translation.override(language):
        return translated.get_url(request)


def page_url_in_language(page, language, request=None):
    """The URL of ``page``'s live translation into ``language`` (the page itself included), or None."""
    return _translation_url(_live_translations(page), language, request)


def page_language_versions(request, page):
    """The page being read (a Wagtail page, possibly on one of its sub-routes) in every interface language."""
    current = current_language()
    own_url = page.get_url(request) or ""
    subpath = request.path[len(own_url) :] if own_url and request.path.startswith(own_url) else ""
    query = f"?{request.META['QUERY_STRING']}" if request.META.get("QUERY_STRING") else ""
    translations = _live_translations(page)
    versions = []
    for code, name in settings.LANGUAGES:
        if code == current:
            versions.append(LanguageVersion(code, name, request.get_full_path(), True, True))
            continue
        url = _translation_url(translations, code, request)
        if url is None:
            versions.append(LanguageVersion(code, name, home_url(code), False, False))
        else:
            versions.append(LanguageVersion(code, name, url + subpath + query, False, True))
    return versions


def _view_url_in_language(request, language):
    """The request's path under ``language``'s prefix; a ``next`` page in the query follows along."""
    url = path_in_language(request.path, language)
    query = request.GET.copy()
    next_url = query.get("next", "")
    if next_url.startswith("/") and not next_url.startswith("//"):
        query["next"] = url_in_language(request, next_url, language)
    return f"{url}?{query.urlencode(safe='/')}" if query else url


def view_language_versions(request):
    """Any other view in every interface language: the same path under each language prefix."""
    current = current_language()
    return [
        LanguageVersion(
            code,
            name,
            request.get_full_path() if code == current else _view_url_in_language(request, code),
            code == current,
            True,
        )
        for code, name in settings.LANGUAGES
    ]


def language_versions(request, page=None):
    """The language versions of what ``request`` shows; ``page`` is the Wagtail page it serves, if any.

    Kept on the request, so the switcher and the ``hreflang`` alternates share one computation.
    """
    key = page.pk if isinstance(page, Page) else None
    cache = request.__dict__.setdefault("_cms_language_versions", {})
    if key not in cache:
        if key is not None and page.get_url(request):
            cache[key] = page_language_versions(request, page)
        else:
            cache[key] = view_language_versions(request)
    return cache[key]


def _page_at(request, path, language):
    """The Wagtail page ``path`` (a URL in ``language``) serves, or None."""
    try:
        with translation.override(language):
            match = resolve(path)
            if match.url_name != WAGTAIL_SERVE:
                return None
            site = Site.find_for_request(request)
            if site is None:
                return None
            components = [component for component in match.args[0].split("/") if component]
            page, _args, _kwargs = site.root_page.localized.specific.route(request, components)
            return page
    except (Resolver404, Http404, IndexError):
        return None


def url_in_language(request, url, language):
    """Where ``url`` (a local URL, e.g. the page to open after log-in) is read in ``language``.

    A Wagtail page goes to its translation (or that language's home page, as in the switcher), another
    view to the same path under the new prefix, and ``/`` to the language's home page.
    """
    parts = urlsplit(url)
    if parts.path == "/" and not parts.query:
        return home_url(language)
    path_language = translation.get_language_from_path(parts.path)
    if not path_language or path_language == language:
        return url
    page = _page_at(request, parts.path, path_language)
    if page is None:
        return path_in_language(url, language)
    return page_url_in_language(page, language, request) or home_url(language)


# The language a person chose


def preferred_language(user):
    """The interface language saved on ``user``'s account, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    language = AccountPreferences.objects.filter(user=user).values_list("language", flat=True).first()
    return supported_language(language)


def save_preferred_language(user, language):
    AccountPreferences.objects.update_or_create(user=user, defaults={"language": language})


def set_language_cookie(response, language):
    """Django's language cookie, so a visit to ``/`` (no language prefix) opens ``language``."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
