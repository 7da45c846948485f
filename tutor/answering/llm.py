"""The one way the tutor talks to a chat model: any OpenAI-compatible endpoint through the ``openai`` SDK.

Why our own retries: the SDK's built-in retries are switched off (``max_retries=0``) so that a retry
can only ever happen *before the first token*. Once text has reached the learner a retry would
repeat it, so a stream that breaks midway is reported, never silently restarted. Before that point
429, 5xx and connection errors (timeouts included) are retried ``TUTOR_LLM_MAX_RETRIES`` times with
exponential backoff, honouring a ``Retry-After`` header when the server sends one.

Every failure reaches the caller as ``TutorUnavailable``: ``message`` is what the learner reads
(a lazy translation, rendered in the language of the request that shows it), ``detail`` what the
operator needs (stored on the tutor message as its error, in English).

Token usage comes from the stream's final usage chunk (``stream_options.include_usage``); servers
that do not send one get an estimate from the embedding tokenizer (``tutor.indexing.chunking.count_tokens``),
so every answer has numbers to budget by.
"""

import logging
import random
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
    """One SDK client per configuration, reused across requests (it pools HTTP connections)."""
    return _client(settings.OPENAI_BASE_URL, settings.OPENAI_API_KEY, settings.TUTOR_LLM_TIMEOUT_SECONDS)


@cache
def _client(base_url, api_key, timeout):
    return openai.OpenAI(
        base_url=base_url or None,
        api_key=api_key or "not-needed",  # local servers (Ollama, vLLM, llama.cpp) accept any key
        timeout=timeout,
        max_retries=0,  # ours, below: only before the first token
    )


@dataclass
class Usage:
    prompt_tokens: int
    completion_tokens: int
    reported: bool  # False: the server sent no usage, these are our estimates


class ChatStream:
    """Text deltas of one streamed completion; ``usage`` and ``model`` are set once it is exhausted.

    Iterating raises ``TutorUnavailable`` when the stream breaks, is malformed or ends without a
    finish reason. ``close()`` releases the HTTP connection (the learner went away).
    """

    def __init__(self, stream, *, model, messages):
        self._stream = stream
        self._messages = messages
        self.model = model
        self.usage = None
        self.finish_reason = None
        self._parts = []

    @property
    def text(self):
        return "".join(self._parts)

    def __iter__(self):
        reported = None
        try:
            for chunk in self._stream:
                if chunk.model:
                    self.model = chunk.model
                if chunk.usage:
                    reported = chunk.usage
                for choice in chunk.choices:
                    delta = choice.delta.content if choice.delta else None
                    if delta:
                        self._parts.append(delta)
                        yield delta
                    if choice.finish_reason:
                        self.finish_reason = choice.finish_reason
        except (openai.OpenAIError, ValueError) as error:  # ValueError: a chunk that is not JSON
            raise TutorUnavailable(f"Stream from {self.model} broke: {_describe(error)}", message=CUT_OFF) from error
        if self.finish_reason is None:
            raise TutorUnavailable(f"Stream from {self.model} ended without a finish reason", message=CUT_OFF)
        self.usage = self._usage(reported)

    def _usage(self, reported):
        if reported and reported.prompt_tokens is not None and reported.completion_tokens is not None:
            return Usage(reported.prompt_tokens, reported.completion_tokens, reported=True)
        prompt = sum(count_tokens(str(message.get("content", ""))) for message in self._messages)
        return Usage(prompt, count_tokens(self.text), reported=False)

    def close(self):
        self._stream.close()


def stream_chat(messages, *, model=None, temperature=0.3):
    """Start a streamed completion, retrying 429/5xx/connection errors with backoff until it starts."""
    model = model or chat_model()
    if not model:
        raise TutorUnavailable("No TUTOR_CHAT_MODEL is configured")
    attempts = settings.TUTOR_LLM_MAX_RETRIES + 1
    for attempt in range(attempts):
        try:
            stream = client().chat.completions.create(
                model=model,
                messages=messages,
                temperature=temperature,
                stream=True,
                stream_options={"include_usage": True},
            )
            return ChatStream(stream, model=model, messages=messages)
        except (openai.RateLimitError, openai.InternalServerError, openai.APIConnectionError) as error:
            if attempt + 1 == attempts:
                busy = isinstance(error, openai.RateLimitError)
                raise TutorUnavailable(
                    f"{model} failed after {attempts} attempts: {_describe(error)}",
                    message=BUSY if busy else UNREACHABLE,
                ) from error
            delay = backoff_seconds(attempt, error)
            logger.warning("Chat model %s failed (%s); retrying in %.1fs", model, _describe(error), delay)
            _pause(delay)
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


def _pause(seconds):
    time.sleep(seconds)


def _describe(error):
    status = getattr(error, "status_code", None)
    name = type(error).__name__
    return f"{name} {status}: {error}" if status else f"{name}: {error}"
