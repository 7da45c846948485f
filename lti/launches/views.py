"""The LMS's half of a launch: OIDC log-in initiation, the launch itself, and the tool's public keys.

The LMS reaches both endpoints cross-site (a redirect, then a form post from its own pages), so they
take no CSRF token: the OIDC state (a cookie set at log-in initiation, checked at launch), the one-time
nonce and the platform's signature over the id_token stand in for it. Both are rate-limited per client
address (``LTI_RATE_LIMIT``).
"""

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pylti1p3.exception import LtiException, OIDCException

from cms.login_throttling import client_ip
from cms.ratelimit import Rate, RateLimit, RateLimited
from lti import protocol
from lti.deep_linking.services import remember_deep_link
from lti.exceptions import LaunchRefused
from lti.framing import is_framed, mark_session

from .selectors import launchable_page
from .services import arrive

logger = logging.getLogger(__name__)

LOGIN_PARAMETERS = ("iss", "login_hint", "target_link_uri", "lti_message_hint", "lti_deployment_id", "client_id")
NEW_WINDOW = "lti1p3_new_window"  # pylti1p3's name for "the cookie check has passed"
ACCOUNT_BACKEND = "django.contrib.auth.backends.ModelBackend"


def refusal(request, message, status, detail=""):
    return render(request, "lti/refused.html", {"message": message, "detail": detail}, status=status)


def _throttled(request):
    """A refusal page once this address has used up ``LTI_RATE_LIMIT``, else None."""
    try:
        RateLimit("lti", Rate.parse(settings.LTI_RATE_LIMIT)).hit(client_ip(request))
    except RateLimited as limited:
        message = ngettext(
            "Too many launches from your network just now. Try again in %(minutes)d minute.",
            "Too many launches from your network just now. Try again in %(minutes)d minutes.",
            limited.minutes,
        ) % {"minutes": limited.minutes}
        response = refusal(request, message, 429)
        response["Retry-After"] = str(limited.retry_after)
        return response
    return None


@csrf_exempt
@require_http_methods(["GET", "POST"])
def login_initiation(request, registration_uuid=None):
    """Third-party initiated log-in: check the LMS is registered, then send the browser to its authorisation URL.

    Inside a frame, a page first checks that the browser keeps this site's cookies there (the state
    cookie must come back with the launch); if not, it offers the launch in a new window.
    """
    if refused := _throttled(request):
        return refused
    params = request.POST if request.method == "POST" else request.GET
    if is_framed(request) and not params.get(NEW_WINDOW):
        query = {key: params[key] for key in LOGIN_PARAMETERS if params.get(key)} | {NEW_WINDOW: "1"}
        return render(request, "lti/cookie_check.html", {"continue_url": f"{request.path}?{urlencode(query)}"})
    try:
        return protocol.oidc_login(request, registration_uuid).redirect(
            request.build_absolute_uri(reverse("lti:launch"))
        )
    except (OIDCException, LtiException) as error:
        logger.info("LTI log-in refused: %s", error)
        return refusal(request, _("This site does not know the LMS that sent you here."), 400, detail=str(error))


@csrf_exempt
@require_POST
def launch(request):
    """The LMS's signed launch: verify it, carry it out (``arrive``), log the person in and take them there."""
    if refused := _throttled(request):
        return refused
    try:
        lti_launch = protocol.validated_launch(request)
        arrival = arrive(lti_launch)
    except LtiException as error:
        logger.warning("LTI launch refused: %s", error)
        message = _(
            "The launch from your LMS could not be verified. Open the activity from your LMS again; "
            "if this keeps happening, ask your LMS administrator to check the tool's registration."
        )
        return refusal(request, message, 403, detail=str(error))
    except LaunchRefused as refused:
        return refusal(request, refused.message, refused.status)
    login(request, arrival.user, backend=ACCOUNT_BACKEND)
    mark_session(request, lti_launch.registration, framed=is_framed(request))
    if arrival.deep_linking:
        return redirect(remember_deep_link(request, lti_launch))
    if arrival.page is not None:
        return redirect(arrival.page.get_url(request))
    messages.info(request, _("Your LMS opened this site without naming a lesson or course of it."))
    return redirect("lessons:dashboard")


@require_GET
def page_link(request, page_id):
    """A lesson's or course's LMS link (the deep-linking URL) opened outside an LMS: the page itself."""
    page = launchable_page(page_id)
    if page is None:
        return refusal(request, _("There is no such lesson or course."), 404)
    return redirect(page.get_url(request))
