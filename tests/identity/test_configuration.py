"""Sign-in providers from environment variables (identity.configuration)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from identity.configuration import openid_connect_settings


def test_providers_are_configured_from_the_environment():
    environ = {
        "OIDC_PROVIDERS": "harid, tallinn-school",
        "OIDC_HARID_ISSUER": "https://harid.example",
        "OIDC_HARID_CLIENT_ID": "platform",
        "OIDC_HARID_CLIENT_SECRET": "s3cret",
        "OIDC_HARID_SCOPES": "openid,email personal_code",
        "OIDC_HARID_NAME": "HarID",
        "OIDC_TALLINN_SCHOOL_ISSUER": "https://id.tallinn.example/",
        "OIDC_TALLINN_SCHOOL_CLIENT_ID": "public-client",
        "OIDC_TALLINN_SCHOOL_SCOPES": "email",
    }
    harid, tallinn = openid_connect_settings(environ)["APPS"]
    assert (harid["provider_id"], harid["name"], harid["client_id"], harid["secret"]) == (
        "harid",
        "HarID",
        "platform",
        "s3cret",
    )
    assert harid["settings"] == {
        "server_url": "https://harid.example",
        "scope": ["openid", "email", "personal_code"],
        "oauth_pkce_enabled": True,
    }
    assert (tallinn["name"], tallinn["secret"]) == ("tallinn-school", "")
    assert tallinn["settings"]["scope"] == ["openid", "email"]  # openid added: no ID token without it


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"OIDC_PROVIDERS": "harid", "OIDC_HARID_CLIENT_ID": "x"}, "set OIDC_HARID_ISSUER"),
        ({"OIDC_PROVIDERS": "harid", "OIDC_HARID_ISSUER": "https://h.example"}, "set OIDC_HARID_CLIENT_ID"),
        ({"OIDC_PROVIDERS": "Har ID"}, "is not a provider id"),
        ({"OIDC_PROVIDERS": "a,a", "OIDC_A_ISSUER": "https://a", "OIDC_A_CLIENT_ID": "a"}, "twice"),
    ],
)
def test_a_provider_configured_wrongly_stops_the_site_with_the_variable_to_fix(environ, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        openid_connect_settings(environ)


def test_without_providers_the_settings_name_none():
    assert openid_connect_settings({})["APPS"] == []
