"""A webhook receiver on 127.0.0.1 for tests, written from the README's description of the signature alone.

It checks each POST as a receiving system would: ``X-Webhook-Signature: t=<seconds>,v1=<hex>`` must be
HMAC-SHA256 of ``<t>.<raw body>`` with the shared secret, and ``t`` within ``TOLERANCE_SECONDS`` of
now. A request with a bad or stale signature gets 401 and is recorded as refused. ``fail_next(n)``
answers the next ``n`` requests with 500 (after checking them), as a receiver that is down would.
"""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE_SECONDS = 300


def verify(secret, header, body, now=None):
    """True when ``header`` signs ``body`` (bytes) with ``secret`` and is recent."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields.get("v1", ""))


class Receiver:
    def __init__(self, secret):
        self.secret = secret
        self.received = []  # dicts: headers (lower-cased), body (parsed), verified, status
        self._failures = 0
        self._lock = threading.Lock()
        self._server = None

    @property
    def url(self):
        host, port = self._server.server_address
        return f"http://{host}:{port}/hooks"

    def fail_next(self, count):
        with self._lock:
            self._failures = count

    def verified(self):
        return [request for request in self.received if request["verified"]]

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                verified = verify(receiver.secret, self.headers.get("X-Webhook-Signature", ""), body)
                with receiver._lock:
                    failing = verified and receiver._failures > 0
                    receiver._failures -= failing
                status = 500 if failing else 204 if verified else 401
                receiver.received.append(
                    {
                        "headers": {name.lower(): value for name, value in self.headers.items()},
                        "body": json.loads(body),
                        "verified": verified,
                        "status": status,
                    }
                )
                reply = b"receiver is down" if failing else b"" if verified else b"bad signature"
                self.send_response(status)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
