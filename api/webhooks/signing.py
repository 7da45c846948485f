"""How each webhook delivery is signed, so the receiver knows it came from here and was not replayed much later.

``X-Webhook-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>``, the HMAC keyed with the endpoint's
secret over the bytes ``<t>.<raw request body>``. The receiver recomputes it over the body exactly as
received, compares in constant time and refuses a ``t`` more than a few minutes from its clock.
Each attempt is signed afresh, with its own time.
"""

import hashlib
import hmac

SIGNATURE_HEADER = "X-Webhook-Signature"


def signature(secret, timestamp, body):
    """The header value for ``body`` (bytes) sent at ``timestamp`` (whole seconds since the epoch)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"
