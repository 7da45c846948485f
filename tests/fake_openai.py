"""A small OpenAI-compatible HTTP server on 127.0.0.1 for tests: the one allowed stand-in.

Production code talks to it through the real ``openai`` SDK, exactly as it would to OpenAI, vLLM
or Ollama. It serves:

* ``POST /v1/chat/completions`` -- with ``stream`` true, Server-Sent Events shaped like OpenAI's
  (a role chunk, one chunk per word of the reply, a ``finish_reason`` chunk, a usage chunk when
  ``stream_options.include_usage`` is asked for and ``stream_usage`` is on, then ``[DONE]``);
  otherwise one JSON completion with usage. A ``max_tokens`` shorter than the reply (in words)
  cuts it there with the finish reason ``length``, as real servers do.
* ``POST /v1/embeddings`` -- deterministic vectors of the requested ``dimensions`` (default 384):
  hashed bag of words, L2-normalised, so texts sharing words point the same way.
* ``POST /v1/moderations`` -- flags an input containing a word of ``moderation_triggers``.

Every request is recorded (``requests``: path, JSON body, lower-cased headers). Failures are
scripted per request with ``fail_next``: ``"429"``, ``"500"``, ``"slow"`` (answers after
``slow_seconds``; set the client timeout below it), ``"malformed"`` (a stream with a chunk that
is not JSON), ``"shapeless"`` (a chunk that is JSON but not a chunk: its choice is a list),
``"bad-usage"`` (the whole reply, then a usage that is a number, not an object),
``"break"`` (a stream cut after a few words without the chunked-encoding terminator, like a
dropped connection), ``"hangup"`` (the connection closes before any
response), ``"endless"`` (a stream that keeps sending a word every ``word_seconds``, ignoring
``max_tokens``, and never finishes) and ``"stall"`` (a stream that sends a few words and then
nothing, keeping the connection open). Those two stop by themselves when the client hangs up, the
server stops or ``ENDLESS_SECONDS`` pass. ``closed_port_url()`` is a URL nothing listens on,
for "endpoint down".
"""

import hashlib
import json
import math
import socket
import sys
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULT_REPLY = "Machine learning finds patterns in examples [1]. Which example in the lesson shows that?"
FAILURES = ("429", "500", "slow", "malformed", "shapeless", "bad-usage", "break", "hangup", "endless", "stall")
ENDLESS_SECONDS = 30.0  # an "endless" or "stalled" stream gives up after this, whatever the client does


class FakeOpenAI:
    """Start with ``start()``; ``url`` is the base URL for ``OPENAI_BASE_URL`` (ends in /v1)."""

    def __init__(self):
        self.reply = DEFAULT_REPLY  # a string, or a callable(request_json) -> string
        self.stream_usage = True  # False: ignore stream_options like servers that lack it
        self.slow_seconds = 2.0
        self.break_after_words = 3
        self.word_seconds = 0.02  # between the words of an "endless" stream
        self.moderation_triggers = {"moderation-trigger": "violence"}
        self.requests = []
        self._failures = deque()
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._server = None
        self._thread = None

    # -- control -------------------------------------------------------------------------------

    def start(self):
        fake = self

        class Handler(_Handler):
            server_state = fake

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._release.set()  # wake any "slow" handler so it can finish
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def fail_next(self, *kinds):
        """The next chat/embedding requests fail in these ways, one each, in order."""
        for kind in kinds:
            if kind not in FAILURES:
                raise ValueError(f"unknown failure {kind!r}; one of {FAILURES}")
        with self._lock:
            self._failures.extend(kinds)

    def chat_requests(self):
        return [request for request in self.requests if request["path"].endswith("/chat/completions")]

    # -- used by the handler -------------------------------------------------------------------

    def _record(self, path, body, headers):
        with self._lock:
            self.requests.append({"path": path, "json": body, "headers": headers})

    def _next_failure(self):
        with self._lock:
            return self._failures.popleft() if self._failures else None

    def _reply_for(self, body):
        return self.reply(body) if callable(self.reply) else self.reply


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client that hangs up mid-response (a timeout, a disconnect test) is expected here."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # chunked streaming, so a cut stream is visibly incomplete
    server_state: FakeOpenAI

    def log_message(self, format, *args):  # keep test output quiet
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return self._json(400, {"error": {"message": "request body is not JSON", "type": "invalid_request"}})
        fake = self.server_state
        fake._record(self.path, body, {name.lower(): value for name, value in self.headers.items()})
        routes = {
            "/v1/chat/completions": self._chat,
            "/v1/embeddings": self._embeddings,
            "/v1/moderations": self._moderations,
        }
        route = routes.get(self.path)
        if route is None:
            return self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
        failure = fake._next_failure() if self.path != "/v1/moderations" else None
        if failure == "429":
            return self._json(429, {"error": {"message": "Rate limit reached", "type": "rate_limit"}}, retry=True)
        if failure == "500":
            return self._json(500, {"error": {"message": "The server had an error", "type": "server_error"}})
        if failure == "hangup":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return None
        if failure == "slow":
            fake._release.wait(fake.slow_seconds)
        return route(body, failure)

    # -- endpoints -----------------------------------------------------------------------------

    def _chat(self, body, failure):
        fake = self.server_state
        reply = fake._reply_for(body)
        model = body.get("model", "test-model")
        prompt_tokens = sum(len(str(message.get("content", "")).split()) for message in body.get("messages", []))
        words = _word_pieces(reply)
        finish_reason = "stop"
        max_tokens = body.get("max_tokens")
        if max_tokens is not None and len(words) > max_tokens:
            words, finish_reason = words[:max_tokens], "length"
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": len(words),
            "total_tokens": prompt_tokens + len(words),
        }
        if not body.get("stream"):
            return self._json(
                200,
                {
                    "id": "chatcmpl-fake",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": model,
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": "".join(words)},
                            "finish_reason": finish_reason,
                        }
                    ],
                    "usage": usage,
                },
            )
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self._event(_chunk(model, {"role": "assistant", "content": ""}))
        if failure in ("endless", "stall"):
            return self._never_finish(model, words, endless=failure == "endless")
        for position, word in enumerate(words):
            if failure == "break" and position == fake.break_after_words:
                self.close_connection = True
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)  # no terminating chunk: an incomplete body
                return
            if failure == "malformed" and position == 1:
                self._send_chunk(b'data: {"id": "chatcmpl-fake", "choices": [{"delta": \n\n')
                continue
            if failure == "shapeless" and position == 1:
                self._event({**_chunk(model, {}), "choices": [["not", "a", "choice"]]})
                continue
            self._event(_chunk(model, {"content": word}))
        self._event(_chunk(model, {}, finish_reason=finish_reason))
        if fake.stream_usage and (body.get("stream_options") or {}).get("include_usage"):
            self._event({**_chunk(model, {}), "choices": [], "usage": 42 if failure == "bad-usage" else usage})
        self._send_chunk(b"data: [DONE]\n\n")
        self._send_chunk(b"")

    def _never_finish(self, model, words, *, endless):
        """Words until the client goes away (a write fails), the server stops or ENDLESS_SECONDS pass."""
        fake = self.server_state
        self.close_connection = True
        give_up = time.monotonic() + ENDLESS_SECONDS
        position = 0
        while time.monotonic() < give_up:
            if endless or position < fake.break_after_words:
                self._event(_chunk(model, {"content": words[position % len(words)]}))
                position += 1
            if fake._release.wait(fake.word_seconds):
                return

    def _embeddings(self, body, failure):
        inputs = body.get("input")
        inputs = [inputs] if isinstance(inputs, str) else list(inputs or [])
        dimensions = int(body.get("dimensions") or 384)
        data = [
            {"object": "embedding", "index": index, "embedding": hashed_vector(text, dimensions)}
            for index, text in enumerate(inputs)
        ]
        tokens = sum(len(str(text).split()) for text in inputs)
        return self._json(
            200,
            {
                "object": "list",
                "data": data,
                "model": body.get("model", "test-embedding"),
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            },
        )

    def _moderations(self, body, failure):
        inputs = body.get("input")
        inputs = [inputs] if isinstance(inputs, str) else list(inputs or [])
        names = ("harassment", "hate", "self-harm", "sexual", "violence")
        results = []
        for text in inputs:
            lowered = str(text).lower()
            hits = {category for word, category in self.server_state.moderation_triggers.items() if word in lowered}
            categories = {name: name in hits for name in names}
            results.append(
                {
                    "flagged": bool(hits),
                    "categories": categories,
                    "category_scores": {name: 0.99 if flagged else 0.01 for name, flagged in categories.items()},
                }
            )
        return self._json(200, {"id": "modr-fake", "model": body.get("model", "test-moderation"), "results": results})

    # -- wire format ---------------------------------------------------------------------------

    def _json(self, status, payload, retry=False):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if retry:
            self.send_header("Retry-After", "0")
        self.end_headers()
        self.wfile.write(data)

    def _event(self, payload):
        self._send_chunk(b"data: " + json.dumps(payload).encode() + b"\n\n")

    def _send_chunk(self, data):
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()


def _chunk(model, delta, finish_reason=None):
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }


def _word_pieces(text):
    """The reply cut into deltas that keep their whitespace, so joining them gives the reply back."""
    pieces, current = [], ""
    for character in text:
        current += character
        if character == " ":
            pieces.append(current)
            current = ""
    if current:
        pieces.append(current)
    return pieces


def hashed_vector(text, dimensions):
    """Each word adds weight to a dimension chosen by its hash; the sum is L2-normalised."""
    vector = [0.0] * dimensions
    for word in str(text).lower().split():
        digest = hashlib.sha256(word.strip(".,;:!?()[]\"'").encode()).digest()
        vector[int.from_bytes(digest[:4], "big") % dimensions] += 1.0 if digest[4] % 2 else -1.0
    norm = math.sqrt(sum(value * value for value in vector))
    if not norm:
        vector[0], norm = 1.0, 1.0
    return [value / norm for value in vector]


def closed_port_url():
    """A base URL on a port that nothing listens on (connection refused): the endpoint is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"
