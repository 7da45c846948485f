"""The tutor's interface in Estonian, Russian and Kazakh: panel, JavaScript catalog, refusals, catalogs.

Tests run with LANGUAGE_CODE="en"; here the URL's language prefix (/et/, /ru/) picks the language,
as it does for learners.
"""

import ast
import gettext
import json
import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from tests import factories as f
from tests.tutor.conftest import events_of
from tutor.answering import llm
from tutor.oversight import budgets

pytestmark = pytest.mark.django_db

QUESTION = "Why do chatbots invent facts?"
LOCALE_DIR = Path(__file__).resolve().parents[2] / "tutor" / "locale"
LANGUAGES = ("en", "et", "ru", "kk")  # en: the source wording, editable without touching code


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def ask(client, lesson, language, question=QUESTION):
    return client.post(
        f"/{language}/tutor/lessons/{lesson.pk}/ask/", {"question": question}, content_type="application/json"
    )


# The panel on translated lesson pages


@pytest.mark.parametrize(
    "language, translated, english",
    [
        (
            "et",
            ["Küsi juhendajalt", ">Sinu küsimus</label>", "Küsimusi veel pole.", ">Küsi</button>", "Ctrl+Enter"],
            ["Ask the tutor", "Your question", "No questions yet", ">Ask</button>", "Press Ctrl+Enter to send"],
        ),
        (
            "ru",
            ["Спросить наставника", ">Ваш вопрос</label>", "Вопросов пока нет.", ">Спросить</button>", "символов"],
            ["Ask the tutor", "Your question", "No questions yet", ">Ask</button>", "Press Ctrl+Enter to send"],
        ),
    ],
)
def test_the_panel_on_a_translated_lesson_speaks_its_language(offline, lesson, student, language, translated, english):
    page = f.translate(lesson, language)
    assert page.url.startswith(f"/{language}/")

    html = logged_in(student).get(page.url).content.decode()

    assert 'aria-labelledby="tutor-heading"' in html
    for text in translated:
        assert text in html
    for text in english:
        assert text not in html
    # The panel's script reads its strings from the catalog of the same language, loaded before it.
    catalog = f'<script src="/{language}/tutor/jsi18n/" defer></script>'
    assert catalog in html and html.index(catalog) < html.index("tutor/tutor.js")


def test_anonymous_visitors_are_asked_to_log_in_in_their_language(offline, lesson):
    page = f.translate(lesson, "et")

    html = Client().get(page.url).content.decode()

    assert f'<a href="/et/accounts/login/?next={page.url}">Logi sisse</a>, et juhendajalt' in html
    assert "to ask the tutor about this lesson" not in html


def test_a_previous_answer_is_labelled_in_the_pages_language(offline, lesson, student):
    page = f.translate(lesson, "ru")
    client = logged_in(student)
    events_of(ask(client, page, "ru"))

    html = client.get(page.url).content.decode()

    assert ">Ваш вопрос</p>" in html
    assert "Наставник · фрагменты курса" in html
    assert "Это помогло?" in html and ">Да</button>" in html
    assert "You asked" not in html and "Was this helpful?" not in html


# The JavaScript catalog


def catalog_of(response):
    """The translations in a JavaScriptCatalog response (Django writes them as ASCII-escaped JSON)."""
    text = response.content.decode()
    match = re.search(r"const newcatalog = (\{.*?\n\s*\});", text, re.DOTALL)
    assert match, text[:500]
    return json.loads(match.group(1))


@pytest.mark.parametrize(
    "language, expected",
    [
        (
            "et",
            {"Type a question for the tutor first.": "Kirjuta kõigepealt juhendajale küsimus.", "Tutor": "Juhendaja"},
        ),
        ("ru", {"Type a question for the tutor first.": "Сначала напишите вопрос наставнику.", "Tutor": "Наставник"}),
        (
            "kk",
            {"Type a question for the tutor first.": "Алдымен тәлімгерге сұрағыңызды жазыңыз.", "Tutor": "Тәлімгер"},
        ),
    ],
)
def test_the_javascript_catalog_has_the_panels_strings(language, expected):
    response = Client().get(f"/{language}/tutor/jsi18n/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    catalog = catalog_of(response)
    for english, translated in expected.items():
        assert catalog[english] == translated


def test_every_string_of_the_panel_script_is_in_the_estonian_catalog():
    script = (LOCALE_DIR.parent / "static" / "tutor" / "tutor.js").read_text()
    used = set(re.findall(r'gettext\("((?:[^"\\]|\\.)*)"\)', script))

    catalog = catalog_of(Client().get("/et/tutor/jsi18n/"))

    assert len(used) >= 8
    assert used <= set(catalog)


# Refusals of the ask endpoint


def test_anonymous_questions_are_refused_in_estonian(lesson):
    response = ask(Client(), lesson, "et")

    assert response.status_code == 401
    assert response.json() == {"error": "Juhendajalt küsimiseks logi sisse."}


def test_the_rate_limit_message_is_estonian_for_an_estonian_request(offline, settings, lesson, student):
    settings.TUTOR_RATE_LIMIT = "1/h"
    client = logged_in(student)
    events_of(ask(client, lesson, "et"))

    refused = ask(client, lesson, "et")

    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error.startswith("Oled lühikese ajaga juhendajalt väga palju küsinud. Proovi uuesti ")
    assert re.search(r"Proovi uuesti \d+ minuti pärast\.$", error)
    assert "try again" not in error


def test_the_rate_limit_message_uses_russian_plural_forms(offline, settings, lesson, student):
    settings.TUTOR_RATE_LIMIT = "1/h"
    client = logged_in(student)
    events_of(ask(client, lesson, "ru"))

    error = ask(client, lesson, "ru").json()["error"]

    minutes = int(re.search(r"через (\d+) ", error).group(1))
    word = "минуту" if minutes % 10 == 1 and minutes % 100 != 11 else None
    if word is None:
        word = "минуты" if 2 <= minutes % 10 <= 4 and not 12 <= minutes % 100 <= 14 else "минут"
    assert error.endswith(f"через {minutes} {word}.")


def test_bad_questions_are_refused_in_the_requests_language(settings, lesson, student):
    settings.TUTOR_MAX_QUESTION_CHARS = 21
    client = logged_in(student)

    empty = ask(client, lesson, "ru", question="   ")
    too_long = ask(client, lesson, "ru", question="x" * 25)

    assert empty.json()["error"] == "Сначала напишите вопрос наставнику."
    assert too_long.json()["error"] == "Вопрос может быть не длиннее 21 символа (в вашем — 25)."


def test_the_exhausted_budget_message_is_russian_for_a_russian_request(chat_model, lesson, student):
    school = f.with_budget(f.OrganisationFactory(name="Tamme School"), questions=1)
    f.member(f.GroupFactory(organisation=school), user=student)
    f.reply(f.question(student))

    response = ask(logged_in(student), lesson, "ru")

    assert response.status_code == 429
    error = response.json()["error"]
    assert error.startswith(
        "Лимит наставника для организации «Tamme School» на этот месяц исчерпан (1 из 1 вопроса). "
        "Задавать вопросы наставнику снова можно будет с "
    )
    assert re.search(r"с 1 [а-я]+ \d{4}\. Уроки и тесты по-прежнему открыты\.$", error), error
    assert chat_model.chat_requests() == []


def test_the_exhausted_budget_message_follows_the_active_language():
    school = f.with_budget(f.OrganisationFactory(name="Acme"), tokens=1000)
    learner = f.member(f.GroupFactory(organisation=school))
    f.reply(f.question(learner), prompt_tokens=900, completion_tokens=105)

    messages = {}
    for language in ("en", "et", "ru", "kk"):
        with translation.override(language), pytest.raises(budgets.BudgetExhausted) as exhausted:
            budgets.check_budget(learner)
        messages[language] = exhausted.value.message

    assert "(1005 of 1000 tokens)" in messages["en"]
    assert "(tokeneid 1005/1000)" in messages["et"]
    assert "(1005 из 1000 токенов)" in messages["ru"]
    assert "(1005 / 1000 токен)" in messages["kk"]
    assert re.search(r"alates \d\d\.\d\d\.\d{4}\.", messages["et"])
    assert re.search(r"\d\d\.\d\d\.\d{4} ж\. бастап", messages["kk"])


def test_a_model_failure_streams_its_message_in_the_requests_language(chat_model, pauses, lesson, student):
    chat_model.fail_next("500", "500", "500")

    events = events_of(ask(logged_in(student), lesson, "et"))

    assert events[-1][0] == "error"
    with translation.override("et"):
        assert events[-1][1]["message"] == str(llm.UNREACHABLE)
    assert events[-1][1]["message"].startswith("Juhendaja ei saa praegu oma keelemudeliga ühendust.")


# Oversight pages


def test_the_oversight_pages_speak_russian(client):
    school = f.OrganisationFactory(name="Tamme School")
    group = f.GroupFactory(organisation=school)
    teacher = f.member(group, role=f.Role.TEACHER)
    learner = f.member(group)
    flagged = f.question(learner, "Something worrying")
    f.SafetyFlagFactory(message=flagged)
    client.force_login(teacher)

    flags = client.get(f"/ru/tutor/oversight/{school.slug}/flags/").content.decode()
    learners = client.get(f"/ru/tutor/oversight/{school.slug}/").content.decode()

    assert "Помеченные диалоги · Tamme School" in flags
    assert "Отметить как проверенную" in flags
    assert "Flagged conversations" not in flags and "Mark as reviewed" not in flags
    assert '1</strong><span class="visually-hidden"> непроверенная пометка</span>' in learners


# The catalogs themselves


def po_entries(path):
    """(msgctxt, msgid, msgid_plural, {n: msgstr}, flags, sources) of each entry of a .po file."""
    entries, entry, key = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        if (line.startswith("#") or line.startswith(("msgctxt ", "msgid "))) and (entry is None or entry["msgstr"]):
            entry = {"msgctxt": None, "msgid_plural": None, "msgstr": {}, "flags": set(), "sources": set()}
            entries.append(entry)
        if line.startswith("#:"):
            entry["sources"] |= {reference.rsplit(":", 1)[0] for reference in line[2:].split()}
        elif line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith("msgstr["):
            key = ("msgstr", int(line[7 : line.index("]")]))
            entry["msgstr"][key[1]] = ast.literal_eval(line[line.index("]") + 1 :].strip())
        else:
            keyword, _, value = line.partition(" ") if not line.startswith('"') else (None, None, line)
            if keyword is not None:
                key = "msgstr" if keyword == "msgstr" else keyword
                if key == "msgstr":
                    key = ("msgstr", 0)
                    entry["msgstr"][0] = ast.literal_eval(value)
                else:
                    entry[key] = ast.literal_eval(value)
            elif isinstance(key, tuple):
                entry["msgstr"][key[1]] += ast.literal_eval(value)
            else:
                entry[key] += ast.literal_eval(value)
    return entries


def catalogs():
    return sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))


def test_there_is_a_django_and_a_djangojs_catalog_per_language():
    assert {(path.parts[-3], path.stem) for path in catalogs()} == {
        (language, domain) for language in LANGUAGES for domain in ("django", "djangojs")
    }


@pytest.mark.parametrize("path", catalogs(), ids=lambda path: "/".join(path.parts[-3::2]))
def test_every_catalog_entry_is_translated_and_not_fuzzy(path):
    entries = po_entries(path)
    header, entries = entries[0], entries[1:]
    assert "fuzzy" not in header["flags"]
    assert f"Language: {path.parts[-3]}\n" in header["msgstr"][0]

    unfinished = [
        (entry["msgid"], sorted(entry["sources"]))
        for entry in entries
        if "fuzzy" in entry["flags"] or not all(entry["msgstr"].values())
    ]

    assert len(entries) > 5
    assert unfinished == []


@pytest.mark.parametrize("path", catalogs(), ids=lambda path: "/".join(path.parts[-3::2]))
def test_translations_keep_the_placeholders_and_markup(path):
    placeholder = re.compile(r"%\(\w+\)[sd]|<[^>]+>")
    for entry in po_entries(path)[1:]:
        for n, translated in entry["msgstr"].items():
            if not translated:
                continue
            source = entry["msgid"] if n == 0 or entry["msgid_plural"] is None else entry["msgid_plural"]
            if entry["msgctxt"] and entry["msgctxt"].startswith("date format"):
                continue  # a format string of its own
            assert sorted(placeholder.findall(translated)) == sorted(placeholder.findall(source)), (
                entry["msgid"],
                translated,
            )


@pytest.mark.parametrize("path", catalogs(), ids=lambda path: "/".join(path.parts[-3::2]))
def test_the_compiled_catalog_is_up_to_date(path):
    with path.with_suffix(".mo").open("rb") as compiled:
        translations = gettext.GNUTranslations(compiled)
    for entry in po_entries(path)[1:]:
        if "fuzzy" in entry["flags"] or not all(entry["msgstr"].values()):
            continue
        msgid = entry["msgid"] if entry["msgctxt"] is None else f"{entry['msgctxt']}\x04{entry['msgid']}"
        if entry["msgid_plural"] is None:
            assert translations._catalog.get(msgid) == entry["msgstr"][0], entry["msgid"]
        else:
            for n, translated in entry["msgstr"].items():
                assert translations._catalog.get((msgid, n)) == translated, entry["msgid"]
