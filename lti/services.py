"""Writes about the tool itself (its keys), shared by the admin and the tests."""

from jwcrypto.jwk import JWK
from lti_tool.models import Key

KEY_SIZE = 2048


def new_key_pair():
    """(public PEM, private PEM) of a new RSA key pair, as django-lti's ``Key`` stores them."""
    key = JWK.generate(kty="RSA", size=KEY_SIZE)
    return key.export_to_pem().decode(), key.export_to_pem(private_key=True, password=None).decode()


def ensure_signing_key():
    """The tool signs with its newest active key pair (django-lti); create one when there is none yet.

    The public half is published at ``/lti/jwks/``; the private half stays in the database.
    """
    if not Key.objects.active().exists():
        public_key, private_key = new_key_pair()
        Key.objects.create(public_key=public_key, private_key=private_key)
