"""Showing the site inside an LMS frame: which pages may be framed, by whom, and with which cookies.

An LMS shows the tool in an iframe on its own pages, another site. Three things the site does for
its own visitors would break that, so they change for LTI sessions only (a session a launch logged
in, marked with ``mark_session``) and for the tool's own endpoints under ``/lti/``:

* **Framing.** The site sends ``X-Frame-Options`` and ``frame-ancestors 'self'`` (clickjacking). An LTI
  session's pages may be framed by the origins registered for its LMS (``LmsPlatform.frame_origins``),
  the ``/lti/`` pages (log-in check, errors) by those of any active LMS, and nobody else: the
  Content-Security-Policy gets those origins in ``frame-ancestors`` and ``X-Frame-Options`` is dropped
  (it cannot name an origin; browsers obey ``frame-ancestors`` instead). The admins are never framed.
* **Cookies in a frame.** Inside an LMS frame our cookies are third-party cookies. ``SameSite=Lax``
  ones are not sent there at all, and browsers that block third-party cookies (Safari; Chromium in
  private windows and headless) refuse even ``SameSite=None`` ones, but accept them *partitioned*
  (CHIPS): kept for this site under the LMS's top-level site only. So when a launch happens in a frame
  (the browser says so in ``Sec-Fetch-Dest``), every cookie of that session (session, CSRF, language,
  messages, pylti1p3's state) is sent as ``SameSite=None; Secure; Partitioned``. The session then lives
  in that LMS's frame only; opening the site in its own tab needs a log-in, or a launch in a new window.
  A launch in a window of its own keeps ordinary first-party cookies.
* **Secure over plain HTTP.** Browsers keep ``Secure`` cookies from plain HTTP only for ``localhost``,
  so an LMS frame needs the site on HTTPS (as LTI 1.3 does anyway).

``SameSite=None`` means the session cookie goes with cross-site requests again; every POST still needs
its CSRF token, and GET requests change nothing, so that is what stands against cross-site forgery.
"""

from http.cookies import Morsel

from django.conf import settings

from lti.selectors import all_frame_origins, platform_frame_origins

SESSION_KEY = "lti"
FRAME_DESTINATIONS = ("iframe", "frame")

# Python 3.14's http.cookies knows the Partitioned attribute; until then it is taught the flag here.
Morsel._reserved.setdefault("partitioned", "Partitioned")
Morsel._flags.add("partitioned")


def is_framed(request) -> bool:
    """The browser loads this page into a frame (Fetch metadata; browsers without it count as not framed)."""
    return request.headers.get("Sec-Fetch-Dest", "") in FRAME_DESTINATIONS


def mark_session(request, platform, *, framed):
    """Remember that this session came from ``platform``'s launch, and whether inside its frame (after log-in)."""
    request.session[SESSION_KEY] = {"platform": platform.pk, "framed": framed}


def lti_session(request):
    session = getattr(request, "session", None)
    return session.get(SESSION_KEY) if session is not None else None


def allow_framing(response, origins):
    update = dict(getattr(response, "_csp_update", None) or {})
    update["frame-ancestors"] = [*update.get("frame-ancestors", []), *origins]
    response._csp_update = update
    if "X-Frame-Options" in response:
        del response["X-Frame-Options"]


def partition_cookies(response):
    for morsel in response.cookies.values():
        morsel["samesite"] = "None"
        morsel["secure"] = True
        morsel["partitioned"] = True


class LmsFramingMiddleware:
    """Frame permission and frame-proof cookies for LTI sessions and the ``/lti/`` endpoints (see the module).

    Listed before the session middleware, so that on the way out it sees every cookie and header the
    others set, and sets the policy update before the Content-Security-Policy middleware writes it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith(tuple(settings.ADMIN_CONTENT_SECURITY_POLICY["PATH_PREFIXES"])):
            return response
        marker = lti_session(request)
        if marker:
            origins, framed = platform_frame_origins(marker["platform"]), marker["framed"]
        elif request.resolver_match is not None and request.resolver_match.namespace == "lti":
            origins, framed = all_frame_origins(), is_framed(request)
        else:
            return response
        if origins:
            allow_framing(response, origins)
        if framed:
            partition_cookies(response)
        return response
