"""django-allauth's OpenID Connect client with the checks it leaves out.

What allauth 65 does by itself, read in its code (``socialaccount/providers/openid_connect`` and
``oauth2``): discovery from ``<issuer>/.well-known/openid-configuration``; the authorization code
flow; ``state`` kept in the session, bound to the provider, single-use and refused after 10 minutes;
PKCE (S256) when the app enables it (``identity.configuration`` does); ``iss``, ``aud`` and ``exp``
of the ID token. What it does not, and this adapter adds:

* discovery's ``issuer`` must be the configured issuer (OpenID Connect Discovery 4.3);
* the ID token's signature is always checked against the issuer's keys, and its ``nonce`` against
  the one this browser's sign-in sent (``identity.oidc.tokens``), before anything else is read;
* userinfo must be about the ID token's subject (Core 5.3.2);
* a subject already linked under this provider id must come from the same issuer, so pointing a
  provider id at another issuer cannot sign anyone in to the accounts of the first one.
"""

from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.urls import reverse
from requests import RequestException

from identity.accounts.selectors import linked_issuer

from .tokens import IdTokenRefused, validate_id_token


class OpenIDConnectAdapter(OpenIDConnectOAuth2Adapter):
    state = None  # this sign-in's stashed state (nonce, purpose, next), set by CallbackView

    @property
    def issuer(self):
        return self.get_provider().app.settings["server_url"]

    @property
    def openid_config(self):
        config = super().openid_config
        if config.get("issuer") != self.issuer:
            raise OAuth2Error(f"discovery names the issuer {config.get('issuer')!r}, not {self.issuer!r}")
        return config

    def get_callback_url(self, request, app):
        return request.build_absolute_uri(reverse("identity:callback", args=[self.provider_id]))

    def complete_login(self, request, app, token, **kwargs):
        raw_id_token = kwargs["response"].get("id_token")
        if not raw_id_token:
            raise IdTokenRefused("missing")
        config = self.openid_config
        claims = validate_id_token(
            raw_id_token,
            issuer=self.issuer,
            jwks_uri=config["jwks_uri"],
            client_id=app.client_id,
            nonce=(self.state or {}).get("nonce"),
        )
        stored_issuer = linked_issuer(app.provider_id, claims["sub"])
        if stored_issuer and stored_issuer != claims["iss"]:
            raise IdTokenRefused("issuer_changed", f"the link was made with {stored_issuer}")
        data = {"id_token": claims}
        if app.settings.get("fetch_userinfo", True) and config.get("userinfo_endpoint"):
            userinfo = self._fetch_user_info(token.token)
            if userinfo.get("sub") != claims["sub"]:
                raise OAuth2Error("userinfo is about another subject than the ID token")
            data["userinfo"] = userinfo
        sociallogin = self.get_provider().sociallogin_from_response(request, data)
        # What a later log-out needs to end the session at the provider too (identity.oidc.logout).
        sociallogin.provider_session = {
            "name": app.name,
            "client_id": app.client_id,
            "id_token": raw_id_token,
            "end_session_endpoint": config.get("end_session_endpoint", ""),
        }
        return sociallogin


class CallbackView(OAuth2CallbackView):
    """allauth's callback, handing the state it took from the session to the adapter for the nonce check.

    allauth reads discovery before its own error handling starts, so a provider that is down when the
    browser comes back would otherwise give a server error instead of the sign-in's error page.
    """

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except (OAuth2Error, RequestException) as error:
            return render_authentication_error(request, self.adapter.get_provider(), exception=error)

    def _get_state(self, request, provider):
        state, response = super()._get_state(request, provider)
        self.adapter.state = state
        return state, response
