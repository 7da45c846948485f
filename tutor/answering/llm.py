"""The one way the tutor talks to a chat model: any OpenAI-compatible endpoint through the ``openai`` SDK.

Answers stream through the SDK's async client (``AsyncOpenAI``, ``async for`` over the stream), so
an open answer costs the server an idle coroutine, not a thread: one event loop holds hundreds of
them. ``stream_chat`` is a coroutine and ``ChatStream`` an async iterator; ``client()`` is the sync
client for calls made from sync code (moderation screening, tutor.oversight.safety).

Why our own retries: the SDK's built-in retries are switched off (``max_retries=0``) so that a retry
can only ever happen *before the first token*. Once text has reached the learner a retry would
repeat it, so a stream that breaks midway is reported, never silently restarted. Before that point
429, 5xx and connection errors (timeouts included) are retried ``TUTOR_LLM_MAX_RETRIES`` times with
exponential backoff, honouring a ``Retry-After`` header when the server sends one.

Every failure reaches the caller as ``TutorUnavailable``: ``message`` is what the learner reads
(a lazy translation, rendered in the language of the request that shows it), ``detail`` what the
operator needs (stored on the tutor message as its error, in English).

Why the SDK's generic ``post`` rather than ``chat.completions.create``: the same request, headers,
timeouts, error classes and Server-Sent Events decoding, but each streamed chunk stays the JSON
object the server sent (``cast_to=object``). ``create`` builds a typed object per chunk (and walks
the request through its parameter types), for a chunk we read three fields of: with 200 answers
streaming at once (``make loadtest``, sampled with py-spy) reading the model's stream took 20% of a
web worker's CPU that way and 9% this way.

Token usage comes from the stream's final usage chunk (``stream_options.include_usage``). A stream
that never delivers one -- a server that does not send it, or a stream that ends early because the
learner left, it broke or the deadline passed -- gets an estimate of the prompt and of the text
received so far from the embedding tokenizer (``tutor.indexing.chunking.count_tokens``, close to
the chat models' own for the languages of the course), so every answer has numbers to budget by.

Limits on one answer: every request asks for at most ``TUTOR_MAX_ANSWER_TOKENS`` (``max_tokens``),
and a caller may pass a ``deadline`` (a ``time.monotonic()`` value): no attempt starts after it,
each request's timeout ends at it, and a stream still running then is closed and ends with the
finish reason ``DEADLINE``. It is checked as each chunk arrives, so a server that keeps streaming
is cut off at once; one that stalls is cut off by the read timeout.
"""

import asyncio
import logging
import random
import threading
import time
from dataclasses import dataclass
from functools import cache

import openai
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tutor.indexing.chunking import count_tokens

logger = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 0.5
BACKOFF_MAX_SECONDS = 8.0

UNREACHABLE = _(
    "The tutor can't reach its language model right now. Your question is saved; please try again in a few minutes."
)
BUSY = _("The tutor is very busy right now. Your question is saved; please try again in a minute.")
CUT_OFF = _("The tutor's answer was cut off. Your question is saved; please ask again.")

DEADLINE = "deadline"  # our finish reason: the answer's deadline passed while the model was still writing


class TutorUnavailable(Exception):
    """The chat model could not answer. ``message`` is for the learner, ``detail`` for the operator."""

    def __init__(self, detail, *, message=UNREACHABLE):
        super().__init__(detail)
        self.detail = detail
        self.message = message


def chat_model():
    """The configured chat model; empty means offline mode (answers are course excerpts)."""
    return settings.TUTOR_CHAT_MODEL


def client():
    """One sync SDK client per configuration, reused across requests (it pools HTTP connections)."""
    return _client(settings.OPENAI_BASE_URL, settings.OPENAI_API_KEY, settings.TUTOR_LLM_TIMEOUT_SECONDS)


@cache
def _client(base_url, api_key, timeout):
    return openai.OpenAI(**_options(base_url, api_key, timeout))


_async_clients = threading.local()


def async_client():
    """The async SDK client of the running event loop, reused across requests while the configuration holds.

    Its pooled connections belong to the loop that opened them, so each loop gets its own client: a
    server process runs one loop for its life; ``async_to_sync`` (Django's test client, the
    benchmark) starts a loop per call, and a new loop in a thread replaces the client of the last one.
    """
    key = (asyncio.get_running_loop(), settings.OPENAI_BASE_URL, settings.OPENAI_API_KEY)
    key += (settings.TUTOR_LLM_TIMEOUT_SECONDS,)
    if getattr(_async_clients, "key", None) != key:
        _async_clients.client = openai.AsyncOpenAI(**_options(*key[1:]))
        _async_clients.key = key
    return _async_clients.client


def _options(base_url, api_key, timeout):
    return {
        "base_url": base_url or None,
        "api_key": api_key or "not-needed",  # local servers (Ollama, vLLM, llama.cpp) accept any key
        "timeout": timeout,
        "max_retries": 0,  # ours, below: only before the first token
    }


@dataclass
class Usage:
    prompt_tokens: int
    completion_tokens: int
    reported: bool  # False: the server sent no usage, these are our estimates


class ChatStream:
    """Text deltas of one streamed completion (``async for``); ``model`` and ``finish_reason`` are set as it streams.

    Iterating raises ``TutorUnavailable`` when the stream breaks, is malformed or ends without a
    finish reason; it stops quietly at the ``deadline`` (``finish_reason`` ``DEADLINE``). ``aclose()``
    releases the HTTP connection (the learner went away).
    """

    def __init__(self, stream, *, model, messages, deadline=None):
        self._stream = stream
        self._messages = messages
        self._deadline = deadline
        self._reported = None
        self.model = model
        self.finish_reason = None
        self._parts = []
        self._deltas = None

    @property
    def text(self):
        return "".join(self._parts)

    def __aiter__(self):
        self._deltas = self._read()
        return self._deltas

    async def _read(self):
        try:
            async for chunk in self._stream:
                chunk = _json_object(chunk, "a chunk")
                self.model = chunk.get("model") or self.model
                if chunk.get("usage"):
                    self._reported = _json_object(chunk["usage"], "a usage")
                for choice in chunk.get("choices") or ():
                    choice = _json_object(choice, "a choice")
                    delta = _json_object(choice.get("delta") or {}, "a delta").get("content")
                    if delta:
                        self._parts.append(delta)
                        yield delta
                    if choice.get("finish_reason"):
                        self.finish_reason = choice["finish_reason"]
                if self.finish_reason is None and _passed(self._deadline):
                    self.finish_reason = DEADLINE
                    await self._stream.close()
                    return
        except openai.APITimeoutError as error:
            if not _passed(self._deadline):
                raise TutorUnavailable(
                    f"Stream from {self.model} broke: {_describe(error)}", message=CUT_OFF
                ) from error
            self.finish_reason = DEADLINE  # the read timeout ended at the deadline: the server stalled
            return
        except (openai.OpenAIError, ValueError) as error:  # ValueError: not JSON, or not a chunk's shape
            raise TutorUnavailable(f"Stream from {self.model} broke: {_describe(error)}", message=CUT_OFF) from error
        if self.finish_reason is None:
            raise TutorUnavailable(f"Stream from {self.model} ended without a finish reason", message=CUT_OFF)

    @property
    def usage(self):
        """What the completion cost so far: the server's count once it sent one, else our estimate.

        A stream cut short (learner gone, broken, past the deadline) cost the prompt and the text
        that was written, so it is estimated too rather than counted as nothing.
        """
        reported = self._reported or {}
        prompt, completion = reported.get("prompt_tokens"), reported.get("completion_tokens")
        if isinstance(prompt, int) and isinstance(completion, int):
            return Usage(prompt, completion, reported=True)
        prompt = sum(count_tokens(str(message.get("content", ""))) for message in self._messages)
        return Usage(prompt, count_tokens(self.text), reported=False)

    async def aclose(self):
        if self._deltas is not None:
            await self._deltas.aclose()
        await self._stream.close()


async def stream_chat(messages, *, model=None, temperature=0.3, deadline=None):
    """Start a streamed completion, retrying 429/5xx/connection errors with backoff until it starts.

    ``deadline``: a ``time.monotonic()`` value after which no attempt starts and the stream stops.
    """
    model = model or chat_model()
    if not model:
        raise TutorUnavailable("No TUTOR_CHAT_MODEL is configured")
    attempts = settings.TUTOR_LLM_MAX_RETRIES + 1
    for attempt in range(attempts):
        timeout = settings.TUTOR_LLM_TIMEOUT_SECONDS
        if deadline is not None:
            timeout = min(timeout, deadline - time.monotonic())
            if timeout <= 0:
                raise TutorUnavailable(f"{model} did not start streaming before the answer's deadline")
        try:
            stream = await async_client().post(
                "/chat/completions",
                body={
                    "model": model,
                    "messages": messages,
                    "temperature": temperature,
                    "max_tokens": settings.TUTOR_MAX_ANSWER_TOKENS,
                    "stream": True,
                    "stream_options": {"include_usage": True},
                },
                options={"timeout": timeout, "security": {"bearer_auth": True}},
                cast_to=object,  # each chunk as the JSON the server sent
                stream=True,
                stream_cls=openai.AsyncStream[object],
            )
            return ChatStream(stream, model=model, messages=messages, deadline=deadline)
        except (openai.RateLimitError, openai.InternalServerError, openai.APIConnectionError) as error:
            if attempt + 1 == attempts:
                busy = isinstance(error, openai.RateLimitError)
                raise TutorUnavailable(
                    f"{model} failed after {attempts} attempts: {_describe(error)}",
                    message=BUSY if busy else UNREACHABLE,
                ) from error
            delay = backoff_seconds(attempt, error)
            logger.warning("Chat model %s failed (%s); retrying in %.1fs", model, _describe(error), delay)
            await _pause(delay)
        except openai.APIStatusError as error:  # 4xx other than 429: retrying will not help
            raise TutorUnavailable(f"{model} refused the request: {_describe(error)}") from error
    raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover


def backoff_seconds(attempt, error=None):
    """0.5 s, 1 s, 2 s ... (capped, with a little jitter), or what the server's Retry-After asks."""
    response = getattr(error, "response", None)
    retry_after = response.headers.get("retry-after") if response is not None else None
    if retry_after is not None:
        try:
            return min(max(float(retry_after), 0.0), BACKOFF_MAX_SECONDS)
        except ValueError:
            pass  # an HTTP date: fall back to our own schedule
    delay = min(BACKOFF_BASE_SECONDS * 2**attempt, BACKOFF_MAX_SECONDS)
    return delay * random.uniform(0.9, 1.1)


async def _pause(seconds):
    await asyncio.sleep(seconds)


def _json_object(value, what):
    if not isinstance(value, dict):
        raise ValueError(f"{what} of the stream is not a JSON object: {value!r:.80}")
    return value


def _passed(deadline):
    return deadline is not None and time.monotonic() >= deadline


def _describe(error):
    status = getattr(error, "status_code", None)
    name = type(error).__name__
    return f"{name} {status}: {error}" if status else f"{name}: {error}"
