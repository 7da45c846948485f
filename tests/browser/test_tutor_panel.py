"""A student asks the tutor on a lesson page in a real browser; the answer streams from the fake server."""

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.tutor.conftest import chatbots_lesson
from tutor.models import Message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

REPLY = "Chatbots can invent sources that do not exist [1]. What would you check first?"


@pytest.fixture
def lesson(db):
    return chatbots_lesson()


@pytest.fixture
def log_in_and_open(log_in):
    def log_in_and_open(page, lesson):
        f.UserFactory(username="sam")
        log_in(page, "sam")
        page.goto(lesson.url)

    return log_in_and_open


def ask(page, question):
    box = page.get_by_label("Your question")
    box.fill(question)
    box.press("Control+Enter")  # the keyboard shortcut submits, no mouse needed


def test_student_asks_sees_the_streamed_answer_and_follows_the_citation(
    page, live_server, chat_model, lesson, log_in_and_open
):
    chat_model.reply = REPLY
    log_in_and_open(page, lesson)

    ask(page, "Why do chatbots make up sources?")

    reply = page.locator(".tutor-message--tutor").last
    expect(reply).to_contain_text("What would you check first?")
    expect(reply.get_by_role("button", name="Yes")).to_be_visible()  # the stored reply replaced the stream
    expect(page.locator("[data-tutor-log]")).to_have_attribute("aria-live", "polite")
    expect(page.get_by_label("Your question")).to_have_value("")
    (request,) = chat_model.chat_requests()
    assert request["json"]["stream"] is True

    reply.get_by_role("button", name="Yes").click()
    expect(reply.get_by_role("button", name="Yes")).to_have_attribute("aria-pressed", "true")
    assert Message.objects.get(role="tutor").rating == 1

    reply.get_by_role("link", name="[1]").click()
    page.wait_for_url("**/chatbots-and-facts/#hallucinations")
    expect(page.locator("h2#hallucinations")).to_be_in_viewport()


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


def test_the_panel_fits_a_small_phone(phone, log_in_and_open, assert_fits_phone, offline_lesson_page):
    small = phone
    log_in_and_open(small, offline_lesson_page)

    ask(small, "Why do chatbots invent facts and citations?")

    expect(small.locator(".tutor-message--tutor").last).to_contain_text("Course excerpts")
    expect(small.locator("[data-tutor-offline]")).to_be_visible()
    assert_fits_phone(small, "the lesson page with the tutor panel")


@pytest.fixture
def offline_lesson_page(settings, lesson):
    settings.TUTOR_CHAT_MODEL = ""
    return lesson
