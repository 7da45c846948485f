"""What an API token key looks like, and the digest stored instead of it."""

import hashlib
import secrets

# Recognisable in logs and by secret scanners; the random part is 256 bits.
TOKEN_PREFIX = "ailp_"  # noqa: S105 (a label, not a secret)
PREFIX_SHOWN = len(TOKEN_PREFIX) + 6


def new_key():
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_key(key):
    return hashlib.sha256(key.encode()).hexdigest()
