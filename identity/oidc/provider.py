"""The OpenID Connect provider class allauth uses for every configured provider (``provider_class``).

It differs from allauth's own in what a sign-in starts with: a fresh nonce in the request and the
stashed state; PKCE by default; the interface language as ``ui_locales``; the purpose of the
sign-in (a plain sign-in, or confirming who you are before deleting an account, which asks the
provider to authenticate again with ``prompt=login`` and ``max_age=0``); and nothing a form field
could choose besides ``next`` and that purpose (allauth would also take ``process``, ``scope`` and
``auth_params`` from the request).

The browser is sent on by a short page rather than a redirect: the site's Content-Security-Policy
(``form-action 'self'``) also covers where a form's answer redirects to, so a redirect to the
provider after the sign-in button's POST would be blocked by the browser.
"""

import secrets
import time

from allauth.account.utils import get_next_redirect_url
from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.providers.base.constants import AuthProcess
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import (
    OpenIDConnectProvider as AllauthOpenIDConnectProvider,
)
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from requests import RequestException

from cms.languages import current_language

from .client import OpenIDConnectAdapter
from .pages import continue_to


class Purpose:
    SIGN_IN = "sign_in"
    REAUTHENTICATE = "reauthenticate"  # prove who you are again, e.g. before deleting the account


class OpenIDConnectProvider(AllauthOpenIDConnectProvider):
    pkce_enabled_default = True
    oauth2_adapter_class = OpenIDConnectAdapter

    def wk_server_url(self, url):
        # allauth appends the path to an issuer ending in "/" as it is, giving "//.well-known".
        return url if "/.well-known/" in url else url.rstrip("/") + "/.well-known/openid-configuration"

    def get_login_url(self, request, **kwargs):
        return reverse("identity:login", args=[self.app.provider_id])

    def get_callback_url(self):
        return reverse("identity:callback", args=[self.app.provider_id])

    def get_redirect_from_request_kwargs(self, request):
        kwargs = {"process": AuthProcess.LOGIN}
        next_url = get_next_redirect_url(request)  # only a URL on this site
        if next_url:
            kwargs["next_url"] = next_url
        if request.POST.get("purpose") == Purpose.REAUTHENTICATE:
            kwargs["purpose"] = Purpose.REAUTHENTICATE
        return kwargs

    def redirect(self, request, process, next_url=None, data=None, purpose=Purpose.SIGN_IN, **kwargs):
        nonce = secrets.token_urlsafe(32)
        auth_params = {**self.get_auth_params(), "nonce": nonce, "ui_locales": current_language()}
        if purpose == Purpose.REAUTHENTICATE:
            auth_params.update(prompt="login", max_age="0")
        try:
            response = super().redirect(
                request,
                process,
                next_url,
                data,
                auth_params=auth_params,
                nonce=nonce,
                purpose=purpose,
                started_at=int(time.time()),
            )
        except (OAuth2Error, RequestException) as error:  # discovery failed or disagreed with the settings
            return render_authentication_error(request, self, exception=error)
        if isinstance(response, HttpResponseRedirect):
            heading = _("Taking you to %(provider)s to sign in…") % {"provider": self.app.name}
            return continue_to(request, response.url, heading)
        return response
