"""Sign-in providers from the environment, as django-allauth's ``SOCIALACCOUNT_PROVIDERS`` wants them.

``OIDC_PROVIDERS`` lists short provider ids (``harid,tara``); each id then has its own variables,
named after it in capitals with ``-`` as ``_``::

    OIDC_HARID_ISSUER          the issuer URL; discovery is read from <issuer>/.well-known/openid-configuration
    OIDC_HARID_CLIENT_ID       the client id registered at the provider
    OIDC_HARID_CLIENT_SECRET   its secret (empty for a public client, which PKCE alone protects)
    OIDC_HARID_SCOPES          optional, default "openid profile email"
    OIDC_HARID_NAME            optional, the button's label ("Continue with <name>"), default the id

The provider id is part of the callback URL registered at the provider
(``/auth/oidc/<id>/login/callback/``) and of every account link, so it must not change once people
sign in with it. A missing issuer or client id stops the site at start-up with the variable's name,
rather than showing a button that cannot work.

This module is read by the settings, so it imports nothing from Django apps.
"""

import re

from django.core.exceptions import ImproperlyConfigured

PROVIDER_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
DEFAULT_SCOPES = "openid profile email"
PROVIDER_CLASS = "identity.oidc.provider.OpenIDConnectProvider"


def variable(provider_id, name):
    """``OIDC_<ID>_<NAME>``: ``tallinn-school`` and ``ISSUER`` give ``OIDC_TALLINN_SCHOOL_ISSUER``."""
    return f"OIDC_{provider_id.upper().replace('-', '_')}_{name}"


def provider_app(provider_id, environ):
    """One provider's allauth app (``SocialApp`` fields as a dict) from the ``environ`` mapping."""

    def value(name, default=None):
        found = environ.get(variable(provider_id, name), "").strip()
        if not found and default is None:
            raise ImproperlyConfigured(f"OIDC_PROVIDERS names {provider_id!r}: set {variable(provider_id, name)}.")
        return found or default

    scopes = value("SCOPES", DEFAULT_SCOPES).replace(",", " ").split()
    if "openid" not in scopes:
        scopes.insert(0, "openid")  # without it the provider answers with plain OAuth 2.0, no ID token
    return {
        "provider_id": provider_id,
        "name": value("NAME", provider_id),
        "client_id": value("CLIENT_ID"),
        "secret": value("CLIENT_SECRET", ""),
        "settings": {
            "server_url": value("ISSUER"),
            "scope": scopes,
            "oauth_pkce_enabled": True,
        },
    }


def openid_connect_settings(environ):
    """The ``openid_connect`` entry of ``SOCIALACCOUNT_PROVIDERS`` for the providers ``environ`` names."""
    ids = [item.strip().lower() for item in environ.get("OIDC_PROVIDERS", "").split(",") if item.strip()]
    for provider_id in ids:
        if not PROVIDER_ID.match(provider_id):
            raise ImproperlyConfigured(
                f"OIDC_PROVIDERS: {provider_id!r} is not a provider id (lower-case letters, digits, - and _)."
            )
    if len(set(ids)) != len(ids):
        raise ImproperlyConfigured("OIDC_PROVIDERS names a provider twice.")
    return {
        "provider_class": PROVIDER_CLASS,
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [provider_app(provider_id, environ) for provider_id in ids],
    }
