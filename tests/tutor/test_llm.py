"""The chat client through the real openai SDK against the local fake server: streaming, usage, retries, failures.

The client is async; each test drives it in an event loop of its own (``async_to_sync``).
"""

import time

import pytest
from asgiref.sync import async_to_sync

from tests.fake_openai import DEFAULT_REPLY, closed_port_url
from tutor.answering import llm
from tutor.indexing.chunking import count_tokens

MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is a spam filter?"}]


def start(**options):
    return async_to_sync(llm.stream_chat)(MESSAGES, **options)


def streamed(**options):
    """The stream and every delta it gave, read to the end."""

    async def read():
        stream = await llm.stream_chat(MESSAGES, **options)
        return stream, [delta async for delta in stream]

    return async_to_sync(read)()


def test_streams_the_reply_and_records_the_reported_usage(chat_model):
    stream, deltas = streamed()

    assert len(deltas) > 1, "the reply arrives in several deltas"
    assert "".join(deltas) == DEFAULT_REPLY == stream.text
    assert stream.usage == llm.Usage(prompt_tokens=7, completion_tokens=len(deltas), reported=True)
    assert stream.model == "test-model"
    (request,) = chat_model.chat_requests()
    assert request["json"]["stream"] is True
    assert request["json"]["stream_options"] == {"include_usage": True}
    assert request["json"]["messages"] == MESSAGES
    assert request["headers"]["authorization"] == "Bearer test-key"


def test_estimates_usage_when_the_server_sends_none(chat_model):
    chat_model.stream_usage = False

    stream, _ = streamed()

    expected_prompt = count_tokens("Be brief.") + count_tokens("What is a spam filter?")
    assert stream.usage == llm.Usage(expected_prompt, count_tokens(DEFAULT_REPLY), reported=False)


def test_retries_429_and_500_with_backoff_then_succeeds(chat_model, pauses):
    chat_model.fail_next("429", "500")

    assert "".join(streamed()[1]) == DEFAULT_REPLY

    assert len(chat_model.chat_requests()) == 3
    assert pauses[0] == 0.0, "the 429 carried Retry-After: 0, which the client honours"
    assert 0.9 <= pauses[1] <= 1.1, "second attempt waits base * 2 (with jitter)"


def test_gives_up_after_the_configured_retries_with_a_busy_message(chat_model, pauses):
    chat_model.fail_next("429", "429", "429", "429")

    with pytest.raises(llm.TutorUnavailable) as raised:
        start()

    assert len(chat_model.chat_requests()) == 3  # one try + TUTOR_LLM_MAX_RETRIES
    assert raised.value.message == llm.BUSY
    assert "RateLimitError 429" in raised.value.detail


@pytest.mark.parametrize("failure", ["500", "slow", "hangup"])
def test_server_errors_timeouts_and_hangups_end_as_unreachable(chat_model, pauses, settings, failure):
    settings.TUTOR_LLM_MAX_RETRIES = 0
    chat_model.fail_next(failure)

    with pytest.raises(llm.TutorUnavailable) as raised:
        start()

    assert raised.value.message == llm.UNREACHABLE
    assert pauses == []


def test_slow_endpoint_times_out_at_the_configured_timeout(chat_model, settings):
    settings.TUTOR_LLM_MAX_RETRIES = 0
    chat_model.fail_next("slow")

    with pytest.raises(llm.TutorUnavailable) as raised:
        start()

    assert "APITimeoutError" in raised.value.detail


def test_endpoint_down_is_retried_then_reported(chat_model, settings, pauses):
    settings.OPENAI_BASE_URL = closed_port_url()

    with pytest.raises(llm.TutorUnavailable) as raised:
        start()

    assert raised.value.message == llm.UNREACHABLE
    assert "APIConnectionError" in raised.value.detail
    assert len(pauses) == 2


@pytest.mark.parametrize("failure", ["malformed", "shapeless", "break"])
def test_a_stream_that_breaks_midway_is_reported_not_retried(chat_model, pauses, failure):
    chat_model.fail_next(failure)
    received = []

    async def read_until_it_breaks():
        stream = await llm.stream_chat(MESSAGES)
        with pytest.raises(llm.TutorUnavailable) as raised:
            async for delta in stream:
                received.append(delta)
        return stream, raised

    stream, raised = async_to_sync(read_until_it_breaks)()

    assert raised.value.message == llm.CUT_OFF
    assert received, "some text arrived before the stream broke"
    assert "".join(received) == stream.text
    assert DEFAULT_REPLY.startswith(received[0])
    assert len(chat_model.chat_requests()) == 1, "text already shown is never re-requested"
    # No usage chunk arrives, but the prompt and the text received were paid for: estimated.
    expected_prompt = count_tokens("Be brief.") + count_tokens("What is a spam filter?")
    assert stream.usage == llm.Usage(expected_prompt, count_tokens(stream.text), reported=False)


def test_a_usage_that_is_not_an_object_ends_the_stream_as_cut_off_with_estimated_tokens(chat_model):
    chat_model.fail_next("bad-usage")

    async def read_to_the_end():
        stream = await llm.stream_chat(MESSAGES)
        with pytest.raises(llm.TutorUnavailable) as raised:
            async for _ in stream:
                pass
        return stream, raised

    stream, raised = async_to_sync(read_to_the_end)()

    assert raised.value.message == llm.CUT_OFF
    assert stream.text == DEFAULT_REPLY
    assert stream.usage.reported is False, "a usage the server garbled is estimated, not trusted"


def test_no_model_configured_is_unavailable(settings):
    settings.TUTOR_CHAT_MODEL = ""

    with pytest.raises(llm.TutorUnavailable):
        start()


def test_backoff_grows_exponentially_and_is_capped():
    first, second, third = (llm.backoff_seconds(attempt) for attempt in range(3))

    assert 0.45 <= first <= 0.55
    assert 0.9 <= second <= 1.1
    assert 1.8 <= third <= 2.2
    assert llm.backoff_seconds(20) <= llm.BACKOFF_MAX_SECONDS * 1.1


def test_every_request_asks_for_at_most_the_configured_answer_tokens(chat_model, settings):
    settings.TUTOR_MAX_ANSWER_TOKENS = 4

    stream, deltas = streamed()

    (request,) = chat_model.chat_requests()
    assert request["json"]["max_tokens"] == 4
    assert len(deltas) == 4 and DEFAULT_REPLY.startswith(stream.text)
    assert stream.finish_reason == "length"


@pytest.mark.parametrize("failure", ["endless", "stall"])
def test_a_stream_still_running_at_the_deadline_is_closed_and_its_tokens_counted(chat_model, settings, failure):
    """An endless stream is cut as its next chunk arrives; a stalled one by the read timeout, at the deadline."""
    settings.TUTOR_LLM_TIMEOUT_SECONDS = 10.0  # the deadline, not the timeout, must end it
    chat_model.fail_next(failure)
    started = time.monotonic()

    # 2 s: the first request of a loop also builds the SDK's HTTP client, which on a busy machine has
    # taken over half a second, and the endless stream must have sent words before the deadline.
    stream, deltas = streamed(deadline=started + 2.0)
    text = "".join(deltas)

    assert 2.0 <= time.monotonic() - started < 5
    assert stream.finish_reason == llm.DEADLINE
    assert text and text == stream.text
    expected_prompt = count_tokens("Be brief.") + count_tokens("What is a spam filter?")
    assert stream.usage == llm.Usage(expected_prompt, count_tokens(text), reported=False)


def test_no_attempt_starts_after_the_deadline(chat_model, pauses):
    with pytest.raises(llm.TutorUnavailable) as raised:
        start(deadline=time.monotonic() - 1)

    assert raised.value.message == llm.UNREACHABLE
    assert chat_model.chat_requests() == []
