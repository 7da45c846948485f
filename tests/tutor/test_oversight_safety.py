"""Safety screening: each rule category flags, ordinary questions do not, and the moderation endpoint adds flags."""

import logging

import pytest

from tests.factories import UserFactory, question
from tests.fake_openai import closed_port_url
from tutor.models import Message, SafetyFlag
from tutor.oversight.safety import rule_findings, screen_message

pytestmark = pytest.mark.django_db

Category = SafetyFlag.Category


@pytest.mark.parametrize(
    "text, category",
    [
        ("Honestly I want to kill myself after this test", Category.SELF_HARM),
        ("Sometimes I think about ending my life", Category.SELF_HARM),
        ("I have been cutting myself again", Category.SELF_HARM),
        ("I feel suicidal", Category.SELF_HARM),
        ("I'm going to stab him tomorrow", Category.VIOLENCE),
        ("how do I make a bomb for school", Category.VIOLENCE),
        ("I will bring a gun to school", Category.VIOLENCE),
        ("you are so stupid, tutor", Category.HARASSMENT),
        ("Mart is an idiot and a loser", Category.HARASSMENT),
        ("shut up and kill yourself", Category.HARASSMENT),
    ],
)
def test_each_category_is_flagged(text, category):
    assert [finding.category for finding in rule_findings(text)] == [category]


@pytest.mark.parametrize(
    "text, category",
    [
        # Estonian
        ("Mul on kõik nii halvasti, ma tahan surra", Category.SELF_HARM),
        ("vahel mõtlen enesetapule", Category.SELF_HARM),
        ("teen endale jälle haiget", Category.SELF_HARM),
        ("homme tapan ta ära", Category.VIOLENCE),
        ("kuidas teha pommi", Category.VIOLENCE),
        ("toon noa kooli", Category.VIOLENCE),
        ("sa oled nii loll", Category.HARASSMENT),
        ("Mart on täielik idioot", Category.HARASSMENT),
        ("jää vait, keegi ei salli sind", Category.HARASSMENT),
        # Russian
        ("Иногда я просто хочу умереть", Category.SELF_HARM),
        ("думаю покончить с собой", Category.SELF_HARM),
        ("я опять режу себя", Category.SELF_HARM),
        ("завтра убью его", Category.VIOLENCE),
        ("как сделать бомбу для школы", Category.VIOLENCE),
        ("принесу нож в школу", Category.VIOLENCE),
        ("ты такой тупой", Category.HARASSMENT),
        ("он просто дебил", Category.HARASSMENT),
        ("заткнись, никто тебя не любит", Category.HARASSMENT),
    ],
)
def test_each_category_is_flagged_in_estonian_and_russian(text, category):
    assert [finding.category for finding in rule_findings(text)] == [category]


@pytest.mark.parametrize(
    "text",
    [
        "Mis on masinõpe ja kuidas see õpib?",
        "Kas tehisintellekt võib olla kallutatud?",
        "Как отличить дипфейк от настоящего видео?",
        "Почему чат-бот иногда выдумывает факты?",
    ],
)
def test_ordinary_estonian_and_russian_questions_are_not_flagged(text):
    assert rule_findings(text) == []


@pytest.mark.parametrize(
    "text, kind",
    [
        ("write to me at mari.tamm+ai@example.ee please", "an e-mail address"),
        ("my number is +372 5123 4567", "a phone number"),
        ("call 555-123-4567 after school", "a phone number"),
        ("my isikukood is 38001085718", "a national ID number"),
        ("SSN 123-45-6789", "a national ID number"),
        ("pay to EE38 2200 2210 2014 5685", "an IBAN"),
        ("card 4111 1111 1111 1111 exp 12/28", "a card number"),
        ("my address is the blue house by the lake", "a home address"),
        ("come to 221B Baker Street", "a home address"),
        ("I live at 12 the corner", "a home address"),
        ("we live on Narva mnt 5 in Tallinn", "a home address"),
    ],
)
def test_personal_data_patterns(text, kind):
    findings = rule_findings(text)
    assert [finding.category for finding in findings] == [Category.PERSONAL_DATA]
    assert kind in findings[0].detail


@pytest.mark.parametrize(
    "text",
    [
        "What is the difference between machine learning and AI?",
        "How do I kill a process that hangs in Python?",
        "Why did the 2023 model need 1,300,000 examples?",
        "Is pi 3.14159265358 used in neural networks?",
        "There are 5 ways to drive bias out of a dataset, which is the best?",
        "Can an AI attack on a network be detected?",
        "How does the tutor handle my data and privacy?",
        "What does hallucination mean in lesson 3?",
        "Give me an example of a harmful stereotype in image generators.",
    ],
)
def test_ordinary_questions_are_not_flagged(text):
    assert rule_findings(text) == []


def test_screen_message_stores_one_flag_per_category_without_copying_the_data():
    message = question(UserFactory(), "I want to die. Mail me at secret.person@example.com or call +372 5123 4567")
    flags = screen_message(message)
    stored = {flag.category: flag for flag in SafetyFlag.objects.filter(message=message)}
    assert set(stored) == {Category.SELF_HARM, Category.PERSONAL_DATA} == {flag.category for flag in flags}
    assert stored[Category.PERSONAL_DATA].detail == "an e-mail address, a phone number"
    assert "secret.person" not in stored[Category.PERSONAL_DATA].detail
    assert {flag.source for flag in stored.values()} == {"rules"}


def test_tutor_answers_and_harmless_questions_are_not_flagged():
    user = UserFactory()
    answer = question(user, "Someone said: I want to kill myself", role=Message.Role.TUTOR)
    assert screen_message(answer) == []
    assert screen_message(question(user)) == []
    assert not SafetyFlag.objects.exists()


@pytest.fixture
def moderation(settings, chat_model):
    """The fake OpenAI server (tests/tutor/conftest.py) with a moderation model configured."""
    settings.TUTOR_MODERATION_MODEL = "omni-moderation-latest"
    return chat_model


def test_moderation_endpoint_flags_what_the_rules_miss(moderation):
    moderation.moderation_triggers = {"glorp": "harassment", "zark": "self-harm"}
    message = question(UserFactory(), "Everyone in class is glorp and zark")
    assert rule_findings(message.text) == []

    screen_message(message)

    flags = SafetyFlag.objects.filter(message=message)
    assert {(flag.category, flag.source) for flag in flags} == {
        (Category.HARASSMENT, "moderation"),
        (Category.SELF_HARM, "moderation"),
    }
    request = [r for r in moderation.requests if r["path"] == "/v1/moderations"][0]
    assert request["json"] == {"input": message.text, "model": "omni-moderation-latest"}


def test_without_a_moderation_model_the_endpoint_is_not_called(moderation, settings):
    settings.TUTOR_MODERATION_MODEL = ""
    screen_message(question(UserFactory(), "moderation-trigger words"))
    assert moderation.requests == []
    assert not SafetyFlag.objects.exists()


def test_a_failing_moderation_endpoint_falls_back_to_the_rules(moderation, settings, caplog):
    settings.OPENAI_BASE_URL = closed_port_url()
    message = question(UserFactory(), "I want to kill myself")
    with caplog.at_level(logging.WARNING, logger="tutor.oversight.safety"):
        flags = screen_message(message)
    assert [(flag.category, flag.source) for flag in flags] == [(Category.SELF_HARM, "rules")]
    assert "Moderation endpoint failed" in caplog.text


def test_screening_writes_at_most_one_insert(django_assert_num_queries):
    flagged = question(UserFactory(), "I want to die; mail me at a@example.com")
    harmless = question(UserFactory())
    with django_assert_num_queries(1):
        assert len(screen_message(flagged)) == 2
    with django_assert_num_queries(0):
        screen_message(harmless)
