"""The sign-in's addresses under /auth/: start (a POST from the log-in page), the provider's callback, after log-out."""

from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2LoginView
from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cms.languages import current_language, home_url
from cms.login_throttling import client_ip
from cms.ratelimit import Rate, RateLimit, RateLimited

from .client import CallbackView, OpenIDConnectAdapter
from .pages import sign_in_problem


def _run(view_class, request, provider_id):
    try:
        return view_class.adapter_view(OpenIDConnectAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist as error:
        raise Http404 from error


@require_POST
def login(request, provider_id):
    """Start signing in: a POST with the CSRF token, so no other site can start a sign-in in someone's browser."""
    try:
        RateLimit("oidc-sign-in", Rate.parse(settings.OIDC_LOGIN_RATE_LIMIT)).hit(client_ip(request))
    except RateLimited as limited:
        message = _("Too many sign-ins from your network just now. Please try again in a few minutes.")
        response = sign_in_problem(request, message, status=429)
        response["Retry-After"] = str(limited.retry_after)
        return response
    return _run(OAuth2LoginView, request, provider_id)


@require_GET
def callback(request, provider_id):
    """Where the provider sends the browser back with a code (or an error) and the state."""
    return _run(CallbackView, request, provider_id)


@require_GET
def logged_out(request):
    """Where a provider sends the browser after ending its session (the post-logout redirect URI)."""
    return redirect(home_url(current_language()))
