"""A student asks the tutor on a lesson page in a real browser; the answer streams from the fake server."""

import re
import threading

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from tests import factories as f
from tests.tutor.conftest import chatbots_lesson
from tutor.models import Message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

REPLY = "Chatbots can invent sources that do not exist [1]. What would you check first?"
LONG_PASTE = ("Chatbots sometimes invent facts and citations that sound plausible. " * 80)[:5000]


@pytest.fixture
def lesson(db):
    return chatbots_lesson()


@pytest.fixture
def log_in_and_open(log_in):
    def log_in_and_open(page, lesson, earlier_exchanges=0):
        sam = f.UserFactory(username="sam")
        if earlier_exchanges:
            conversation = f.ConversationFactory(user=sam, lesson=lesson)
            for number in range(1, earlier_exchanges + 1):
                f.reply(f.question(sam, f"Earlier question {number}?", conversation=conversation))
        log_in(page, "sam")
        page.goto(lesson.url)

    return log_in_and_open


def ask(page, question):
    box = page.get_by_label("Your question")
    box.fill(question)
    box.press("Control+Enter")  # the keyboard shortcut submits, no mouse needed


def wait_for_newest_in_view(page):
    """Until the conversation log, taller than its box, is scrolled to its end (15 s, then a timeout error)."""
    page.wait_for_function(
        """() => {
            const log = document.querySelector("[data-tutor-log]");
            return log.scrollHeight > log.clientHeight && log.scrollHeight - log.scrollTop - log.clientHeight <= 1;
        }"""
    )


def test_student_asks_sees_the_streamed_answer_and_follows_the_citation(
    page, live_server, chat_model, settings, lesson, log_in_and_open, csp_violations
):
    settings.TUTOR_LLM_TIMEOUT_SECONDS = 20
    model_may_answer = threading.Event()  # the model says nothing until the test has seen the panel wait
    chat_model.reply = lambda request: model_may_answer.wait(20) and REPLY
    log_in_and_open(page, lesson, earlier_exchanges=6)
    wait_for_newest_in_view(page)  # a long conversation opens at its newest message

    ask(page, "Why do chatbots make up sources?")

    # At once, before any word of the answer: the question in the log and the tutor visibly thinking.
    expect(page.locator(".tutor-message--learner").last).to_contain_text("Why do chatbots make up sources?")
    reply = page.locator(".tutor-message--tutor").last
    expect(reply.get_by_role("status")).to_have_text("Thinking…")
    expect(reply.locator("[data-tutor-answer]")).to_have_attribute("aria-busy", "true")
    wait_for_newest_in_view(page)
    model_may_answer.set()

    expect(reply).to_contain_text("What would you check first?")
    expect(reply.get_by_role("button", name="Yes")).to_be_visible()  # the stored reply replaced the stream
    expect(reply.get_by_text("Thinking…")).to_have_count(0)
    expect(reply.locator("[aria-busy]")).to_have_count(0)
    wait_for_newest_in_view(page)
    expect(page.locator("[data-tutor-log]")).to_have_attribute("aria-live", "polite")
    expect(page.get_by_label("Your question")).to_have_value("")
    (request,) = chat_model.chat_requests()
    assert request["json"]["stream"] is True

    reply.get_by_role("button", name="Yes").click()
    expect(reply.get_by_role("button", name="Yes")).to_have_attribute("aria-pressed", "true")
    assert Message.objects.filter(role="tutor").latest("id").rating == 1

    reply.get_by_role("link", name="[1]").click()
    page.wait_for_url("**/chatbots-and-facts/#hallucinations")
    expect(page.locator("h2#hallucinations")).to_be_in_viewport()
    assert csp_violations == []  # the panel, its script, the stream and htmx all run under the policy


def test_a_script_in_the_model_reply_never_runs(page, live_server, chat_model, lesson, log_in_and_open):
    chat_model.reply = (
        "<script>window.pwned = 'script'</script> "
        "<img src=x onerror=\"window.pwned = 'onerror'\"> "
        "Check the source [1]."
    )
    log_in_and_open(page, lesson)

    ask(page, "Tell me about hallucinations")

    reply = page.locator(".tutor-message--tutor").last
    expect(reply).to_contain_text("Check the source")
    expect(reply.get_by_role("button", name="Yes")).to_be_visible()
    assert page.evaluate("window.pwned") is None
    assert reply.locator("script, img").count() == 0

    page.reload()  # the stored answer rendered by the server is just as inert
    expect(page.locator(".tutor-message--tutor").last).to_contain_text("Check the source")
    assert page.evaluate("window.pwned") is None


def test_a_failing_model_shows_a_clear_message_and_keeps_the_question(
    page, live_server, chat_model, settings, lesson, log_in_and_open
):
    settings.TUTOR_LLM_MAX_RETRIES = 0
    chat_model.fail_next("500")
    log_in_and_open(page, lesson)

    ask(page, "Why do chatbots make up sources?")

    expect(page.get_by_role("alert")).to_contain_text("Your question is saved")
    assert Message.objects.filter(role="learner", text="Why do chatbots make up sources?").exists()
    page.reload()
    expect(page.locator(".tutor-message--learner").last).to_contain_text("Why do chatbots make up sources?")
    expect(page.locator(".tutor-message--tutor").last).to_contain_text("could not answer")


def test_the_panel_fits_a_small_phone(phone, settings, log_in_and_open, assert_fits_phone, offline_lesson_page):
    settings.TUTOR_RATE_LIMIT = "1/h"
    cache.clear()  # rate-limit counts of earlier tests' users
    small = phone
    log_in_and_open(small, offline_lesson_page)
    box = small.get_by_label("Your question")
    jump = small.get_by_role("link", name="Ask the tutor")

    # The panel is below the whole lesson; a button in view from the top of the page opens it.
    expect(box).not_to_be_in_viewport()
    expect(jump).to_be_in_viewport()
    jump.click()
    expect(box).to_be_focused()
    expect(box).to_be_in_viewport()
    expect(jump).to_be_hidden()  # out of the way of the form it would cover

    # A paste five times the limit is cut to the limit the server enforces, and the panel says so.
    small.context.grant_permissions(["clipboard-read", "clipboard-write"])
    small.evaluate("text => navigator.clipboard.writeText(text)", LONG_PASTE)
    box.press("Control+V")
    cut = small.locator("[data-tutor-cut]")
    limit = settings.TUTOR_MAX_QUESTION_CHARS
    expect(cut).to_have_text(re.compile(rf"too long, so your question was cut to {limit} characters"))
    expect(cut).to_be_visible()
    expect(cut).to_have_attribute("role", "status")
    assert box.input_value() == LONG_PASTE[:limit]

    ask(small, "Why do chatbots invent facts and citations?")

    expect(small.locator(".tutor-message--tutor").last).to_contain_text("Course excerpts")
    expect(cut).to_be_hidden()  # the notice was about the text sent

    # A refused question leaves the log and goes back into the box, ready to send later.
    ask(small, "And what about images?")
    expect(small.get_by_role("alert")).to_contain_text("a lot of questions in a short time")
    expect(box).to_have_value("And what about images?")
    expect(small.locator(".tutor-message--learner")).to_have_count(1)
    expect(small.locator("[data-tutor-offline]")).to_be_visible()
    assert_fits_phone(small, "the lesson page with the tutor panel")


@pytest.fixture
def offline_lesson_page(settings, lesson):
    settings.TUTOR_CHAT_MODEL = ""
    return lesson
