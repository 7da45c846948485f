"""Checking an ID token: signature against the issuer's published keys, then iss, aud, azp, exp, iat and nonce.

django-allauth 65 skips the signature of an ID token it fetched from the token endpoint itself (the
specification allows that over TLS), sends no nonce and so checks none. This module checks both on
every sign-in: a provider's token endpoint reached through a misconfigured proxy, or a code injected
from another browser's sign-in, is refused instead of trusted (OpenID Connect Core 3.1.3.7).
"""

import hmac
import json

import jwt
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.conf import settings

# Asymmetric algorithms only: "none" and HS* (keyed with the client secret) are never accepted.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")


class IdTokenRefused(OAuth2Error):
    """The ID token failed one check; ``reason`` names it for the log (never shown to the person)."""

    def __init__(self, reason, detail=""):
        self.reason = reason
        super().__init__(f"ID token refused ({reason}){': ' + detail if detail else ''}")


def signing_keys(jwks_uri, header):
    """The issuer's published keys that may have signed a token with this ``header``.

    A token names its key with ``kid``; one without (allowed when the issuer publishes a single key)
    is tried against every signing key of the matching type.
    """
    with get_adapter().get_requests_session() as session:
        response = session.get(jwks_uri)
        response.raise_for_status()
        keys = response.json().get("keys", [])
    algorithm = jwt.get_algorithm_by_name(header["alg"])
    found = []
    for key in keys:
        if key.get("use", "sig") != "sig" or ("kid" in header and key.get("kid") != header["kid"]):
            continue
        try:
            found.append(algorithm.from_jwk(json.dumps(key)))
        except (jwt.InvalidKeyError, ValueError, KeyError, TypeError):
            continue  # a key of another type (an EC key next to the RSA one we need)
    return found


def validate_id_token(raw, *, issuer, jwks_uri, client_id, nonce):
    """The claims of ``raw`` if every check passes; IdTokenRefused otherwise.

    ``issuer`` is the configured one (discovery was checked to agree with it) and ``nonce`` the one this
    browser's sign-in sent; ``exp``, ``iat`` and ``nbf`` get ``OIDC_CLOCK_SKEW_SECONDS`` of leeway.
    """
    try:
        header = jwt.get_unverified_header(raw)
    except jwt.PyJWTError as error:
        raise IdTokenRefused("malformed", str(error)) from error
    if header.get("alg") not in ALGORITHMS:
        raise IdTokenRefused("algorithm", str(header.get("alg")))
    keys = signing_keys(jwks_uri, header)
    if not keys:
        raise IdTokenRefused("unknown_key", str(header.get("kid", "")))
    claims = None
    for key in keys:
        try:
            claims = jwt.decode(
                raw,
                key=key,
                algorithms=[header["alg"]],
                audience=client_id,
                issuer=issuer,
                leeway=settings.OIDC_CLOCK_SKEW_SECONDS,
                options={"require": ["iss", "sub", "aud", "exp", "iat"]},
            )
            break
        except jwt.InvalidSignatureError:
            continue
        except jwt.ExpiredSignatureError as error:
            raise IdTokenRefused("expired") from error
        except jwt.InvalidIssuerError as error:
            raise IdTokenRefused("issuer") from error
        except jwt.InvalidAudienceError as error:
            raise IdTokenRefused("audience") from error
        except jwt.PyJWTError as error:
            raise IdTokenRefused("claims", str(error)) from error
    if claims is None:
        raise IdTokenRefused("signature")
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise IdTokenRefused("azp")  # a token for several clients must say it was issued to us
    if not nonce or not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
        raise IdTokenRefused("nonce")
    return claims
