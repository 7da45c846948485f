"""Logging out of the site also ends the session at the provider signed in with (RP-initiated logout).

At sign-in the session keeps what that needs: the provider, its ``end_session_endpoint`` (from
discovery; some providers have none) and the ID token, sent back as ``id_token_hint`` so the provider
knows whose session to end. Any log-out here — the log-out button, deleting the account — first
logs out locally as always (``django.contrib.auth.logout``); ``on_logged_out`` then notes the
provider session on the request, and ``ProviderLogoutMiddleware`` turns the view's
redirect into a page that sends the browser there (a redirect after the log-out form's POST would
be blocked by ``form-action 'self'``). The provider sends the browser back to ``/auth/logged-out/``
(register it as the post-logout redirect URI), which opens the home page. If the provider is down,
the person is still logged out here.

A log-out inside a sign-in (allauth logs out whoever was signed in before opening another account)
leaves the provider alone: the request ends with someone signed in.
"""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .pages import continue_to

SESSION_KEY = "identity_provider_session"
REQUEST_ATTRIBUTE = "identity_end_session"


def remember_provider_session(request, sociallogin):
    """Keep in the session what ending the provider's session will need (set by ``client.OpenIDConnectAdapter``)."""
    provider_session = getattr(sociallogin, "provider_session", None)
    if provider_session:
        request.session[SESSION_KEY] = provider_session


def end_session_url(request, provider_session):
    """Where to send the browser to end ``provider_session`` at the provider, or None if it has no such endpoint."""
    endpoint = provider_session.get("end_session_endpoint")
    if not endpoint:
        return None
    params = {
        "id_token_hint": provider_session["id_token"],
        "client_id": provider_session["client_id"],
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("identity:logged_out")),
    }
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"


def on_logged_out(sender, request, user, **kwargs):
    """``user_logged_out`` receiver: runs before the session is emptied, so it can still read the provider session."""
    provider_session = request.session.get(SESSION_KEY) if request is not None else None
    if provider_session:
        setattr(request, REQUEST_ATTRIBUTE, provider_session)


class ProviderLogoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        provider_session = getattr(request, REQUEST_ATTRIBUTE, None)
        if provider_session and response.status_code in (301, 302, 303) and not request.user.is_authenticated:
            url = end_session_url(request, provider_session)
            if url:
                heading = _("Logging you out at %(provider)s too…") % {"provider": provider_session["name"]}
                return continue_to(request, url, heading)
        return response
