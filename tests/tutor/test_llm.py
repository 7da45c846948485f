"""The chat client through the real openai SDK against the local fake server: streaming, usage, retries, failures."""

import pytest

from tests.fake_openai import DEFAULT_REPLY, closed_port_url
from tutor.answering import llm
from tutor.indexing.chunking import count_tokens

MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is a spam filter?"}]


def collect(stream):
    return "".join(stream)


def test_streams_the_reply_and_records_the_reported_usage(chat_model):
    stream = llm.stream_chat(MESSAGES)
    deltas = list(stream)

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

    stream = llm.stream_chat(MESSAGES)
    collect(stream)

    expected_prompt = count_tokens("Be brief.") + count_tokens("What is a spam filter?")
    assert stream.usage == llm.Usage(expected_prompt, count_tokens(DEFAULT_REPLY), reported=False)


def test_retries_429_and_500_with_backoff_then_succeeds(chat_model, pauses):
    chat_model.fail_next("429", "500")

    assert collect(llm.stream_chat(MESSAGES)) == DEFAULT_REPLY

    assert len(chat_model.chat_requests()) == 3
    assert pauses[0] == 0.0, "the 429 carried Retry-After: 0, which the client honours"
    assert 0.9 <= pauses[1] <= 1.1, "second attempt waits base * 2 (with jitter)"


def test_gives_up_after_the_configured_retries_with_a_busy_message(chat_model, pauses):
    chat_model.fail_next("429", "429", "429", "429")

    with pytest.raises(llm.TutorUnavailable) as raised:
        llm.stream_chat(MESSAGES)

    assert len(chat_model.chat_requests()) == 3  # one try + TUTOR_LLM_MAX_RETRIES
    assert raised.value.message == llm.BUSY
    assert "RateLimitError 429" in raised.value.detail


@pytest.mark.parametrize("failure", ["500", "slow", "hangup"])
def test_server_errors_timeouts_and_hangups_end_as_unreachable(chat_model, pauses, settings, failure):
    settings.TUTOR_LLM_MAX_RETRIES = 0
    chat_model.fail_next(failure)

    with pytest.raises(llm.TutorUnavailable) as raised:
        llm.stream_chat(MESSAGES)

    assert raised.value.message == llm.UNREACHABLE
    assert pauses == []


def test_slow_endpoint_times_out_at_the_configured_timeout(chat_model, settings):
    settings.TUTOR_LLM_MAX_RETRIES = 0
    chat_model.fail_next("slow")

    with pytest.raises(llm.TutorUnavailable) as raised:
        llm.stream_chat(MESSAGES)

    assert "APITimeoutError" in raised.value.detail


def test_endpoint_down_is_retried_then_reported(chat_model, settings, pauses):
    settings.OPENAI_BASE_URL = closed_port_url()

    with pytest.raises(llm.TutorUnavailable) as raised:
        llm.stream_chat(MESSAGES)

    assert raised.value.message == llm.UNREACHABLE
    assert "APIConnectionError" in raised.value.detail
    assert len(pauses) == 2


@pytest.mark.parametrize("failure", ["malformed", "break"])
def test_a_stream_that_breaks_midway_is_reported_not_retried(chat_model, pauses, failure):
    chat_model.fail_next(failure)
    stream = llm.stream_chat(MESSAGES)
    received = []

    with pytest.raises(llm.TutorUnavailable) as raised:
        for delta in stream:
            received.append(delta)

    assert raised.value.message == llm.CUT_OFF
    assert received, "some text arrived before the stream broke"
    assert "".join(received) == stream.text
    assert DEFAULT_REPLY.startswith(received[0])
    assert len(chat_model.chat_requests()) == 1, "text already shown is never re-requested"
    assert stream.usage is None


def test_no_model_configured_is_unavailable(settings):
    settings.TUTOR_CHAT_MODEL = ""

    with pytest.raises(llm.TutorUnavailable):
        llm.stream_chat(MESSAGES)


def test_backoff_grows_exponentially_and_is_capped():
    first, second, third = (llm.backoff_seconds(attempt) for attempt in range(3))

    assert 0.45 <= first <= 0.55
    assert 0.9 <= second <= 1.1
    assert 1.8 <= third <= 2.2
    assert llm.backoff_seconds(20) <= llm.BACKOFF_MAX_SECONDS * 1.1
