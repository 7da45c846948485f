"""The protocol as the provider sees it, and what the site refuses: read off a real provider's request log.

The browser journeys (tests/browser/test_oidc_journey.py) cover a tampered state, a code bound to
another sign-in's nonce and an expired ID token; these cover the rest without a browser.
"""

import base64
import hashlib

import pytest
import requests
from django.test import Client
from django.urls import reverse

from identity.configuration import openid_connect_settings
from tests.identity.provider import MockProvider, provider_settings, query_of

pytestmark = pytest.mark.django_db


def test_the_authorization_request_carries_state_nonce_and_a_pkce_challenge(client, provider, start_sign_in):
    provider.set_claims("pkce-sub", email="pkce@school.example", email_verified=True)
    url = start_sign_in(client)
    sent = query_of(url)
    assert sent["response_type"] == "code"
    assert sent["client_id"] == "platform-client"
    assert sent["redirect_uri"] == "http://testserver/auth/oidc/school/login/callback/"
    assert set(sent["scope"].split()) == {"openid", "profile", "email"}
    assert len(sent["state"]) >= 16 and len(sent["nonce"]) >= 32
    assert sent["code_challenge_method"] == "S256" and sent["ui_locales"] == "en"

    callback = provider.authorize(url, "pkce-sub")
    client.get(callback)
    (token_request,) = [seen for seen in provider.requests_to("/oauth2/token") if seen.form["code"] in callback]
    verifier = token_request.form["code_verifier"]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert challenge == sent["code_challenge"], "the token request proves it comes from the browser that started"
    assert token_request.form["client_secret"] == "platform-secret"
    assert "_auth_user_id" in client.session


def test_each_sign_in_gets_its_own_state_and_nonce(client, provider, start_sign_in):
    first, second = query_of(start_sign_in(client)), query_of(start_sign_in(client))
    assert first["state"] != second["state"] and first["nonce"] != second["nonce"]
    assert first["code_challenge"] != second["code_challenge"]


def test_signing_in_starts_only_with_a_post_carrying_the_csrf_token(provider):
    url = reverse("identity:login", args=["school"])
    assert Client().get(url).status_code == 405
    assert Client(enforce_csrf_checks=True).post(url).status_code == 403


def test_an_unknown_provider_is_not_found(client, provider):
    # Outside the language prefix a 404 is first redirected into it (LocaleMiddleware), then is a 404 there.
    assert client.post(reverse("identity:login", args=["nowhere"]), follow=True).status_code == 404
    assert client.get(reverse("identity:callback", args=["nowhere"]), follow=True).status_code == 404


def test_a_form_field_cannot_change_the_scope_or_the_process(client, provider, start_sign_in):
    sent = query_of(start_sign_in(client, scope="offline_access", process="connect", auth_params="prompt=none"))
    assert set(sent["scope"].split()) == {"openid", "profile", "email"}
    assert "prompt" not in sent


def test_discovery_must_name_the_configured_issuer(client, settings, mock_provider):
    environ = {"OIDC_PROVIDERS": "school", **mock_provider.environ("school", name="School ID")}
    environ["OIDC_SCHOOL_ISSUER"] = mock_provider.issuer + "/"  # discovery says it without the slash
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": openid_connect_settings(environ)}
    response = client.post(reverse("identity:login", args=["school"]))
    assert response.status_code == 400
    assert "did not work" in response.content.decode()


def test_an_id_token_signed_with_a_key_the_issuer_does_not_publish_is_refused(client, settings, provider, caplog):
    """The issuer's JWKS is swapped for another provider's keys: the token is genuine, its signature fails."""
    with MockProvider() as stranger:
        app = settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"][0]
        app["settings"]["openid_configuration_overrides"] = {"jwks_uri": f"{stranger.issuer}/jwks"}
        provider.set_claims("forged-sub", email="forged@school.example", email_verified=True)
        url = client.post(reverse("identity:login", args=["school"])).context["url"]
        response = client.get(provider.authorize(url, "forged-sub"))
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    assert "ID token refused (signature)" in caplog.text


def test_an_id_token_from_another_issuer_is_refused(client, settings, mock_provider, caplog):
    """The mock names itself after the host it is called by: discovery read at ``localhost`` says issuer
    ``http://localhost:<port>``, and a token endpoint called at ``127.0.0.1`` signs ``iss=http://127.0.0.1:<port>``."""
    issuer = mock_provider.issuer.replace("127.0.0.1", "localhost")
    environ = {"OIDC_PROVIDERS": "school", **mock_provider.environ("school", name="School ID")}
    environ["OIDC_SCHOOL_ISSUER"] = issuer
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": openid_connect_settings(environ)}
    app = settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"][0]
    app["settings"]["openid_configuration_overrides"] = {"token_endpoint": f"{mock_provider.issuer}/oauth2/token"}
    mock_provider.set_claims("elsewhere-sub", email="elsewhere@school.example", email_verified=True)
    url = client.post(reverse("identity:login", args=["school"])).context["url"]
    response = client.get(mock_provider.authorize(url, "elsewhere-sub"))
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    assert "ID token refused (issuer)" in caplog.text


def test_a_state_is_used_once(client, provider, start_sign_in):
    provider.set_claims("once-sub", email="once@school.example", email_verified=True)
    callback = provider.authorize(start_sign_in(client), "once-sub")
    assert client.get(callback).status_code == 302
    client.logout()
    replayed = client.get(callback)
    assert replayed.status_code == 400
    assert "_auth_user_id" not in client.session


def test_cancelling_at_the_provider_signs_nobody_in(client, provider, start_sign_in):
    """The mock's "Deny" answers ``error=access_denied`` without the state (RFC 6749 4.1.2.1 asks for it), so the
    test adds the state back as a provider following the RFC sends it."""
    url = start_sign_in(client)
    denied = requests.post(url, data={"action": "deny"}, allow_redirects=False, timeout=5)
    assert query_of(denied.headers["Location"])["error"] == "access_denied"
    response = client.get(f"{denied.headers['Location']}&state={query_of(url)['state']}")
    assert response.status_code == 400
    assert "You cancelled signing in with School ID" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_too_many_sign_ins_from_one_address_are_refused_for_a_while(client, settings, provider):
    settings.OIDC_LOGIN_RATE_LIMIT = "2/m"
    url = reverse("identity:login", args=["school"])
    assert [client.post(url).status_code for _ in range(3)] == [200, 200, 429]


def test_a_provider_gone_when_the_browser_comes_back_gives_the_error_page(client, settings):
    with MockProvider() as short_lived:
        settings.SOCIALACCOUNT_PROVIDERS = provider_settings(("school", short_lived, "School ID"))
        url = client.post(reverse("identity:login", args=["school"])).context["url"]
        callback = short_lived.authorize(url, "too-late")
    response = client.get(callback)  # discovery cannot be read any more
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
