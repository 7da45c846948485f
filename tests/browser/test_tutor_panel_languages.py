"""The panel's script speaks the page's language: its strings come from the tutor's JavaScript catalog."""

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.tutor.conftest import chatbots_lesson

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def estonian_lesson(db):
    return f.translate(chatbots_lesson(), "et")


def test_the_panel_script_shows_estonian_texts_on_an_estonian_lesson(
    page, live_server, chat_model, estonian_lesson, log_in
):
    chat_model.reply = "Vestlusrobotid võivad allikaid välja mõelda [1]."
    f.UserFactory(username="mari")
    log_in(page, "mari")
    page.goto(estonian_lesson.url)
    box = page.get_by_label("Sinu küsimus")

    box.fill("   ")  # passes the browser's "required" check; the script refuses it
    box.press("Control+Enter")
    expect(page.get_by_role("alert")).to_have_text("Kirjuta kõigepealt juhendajale küsimus.")

    box.fill("Miks vestlusrobotid allikaid välja mõtlevad?")
    box.press("Control+Enter")
    asked = page.locator(".tutor-message--learner").last
    expect(asked.locator(".tutor-message__who")).to_have_text("Sinu küsimus")  # made by the script
    reply = page.locator(".tutor-message--tutor").last
    expect(reply).to_contain_text("Vestlusrobotid võivad allikaid välja mõelda")
    expect(reply.get_by_role("button", name="Jah")).to_be_visible()
    expect(page.get_by_role("alert")).to_be_hidden()
