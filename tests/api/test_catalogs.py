"""The api app's catalogs: every message translated, none fuzzy, the right plural forms, compiled and current."""

import gettext
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import ngettext

from tests.cms.test_catalogs import PLACEHOLDER, PLURAL_FORMS, read_po

LOCALE = Path(__file__).resolve().parents[2] / "api" / "locale"


@pytest.mark.parametrize("language", sorted(PLURAL_FORMS))
def test_every_message_is_translated_compiled_and_keeps_its_placeholders(language):
    directory = LOCALE / language / "LC_MESSAGES"
    header, entries = read_po(directory / "django.po")
    assert "fuzzy" not in header["flags"] and f"Language: {language}\n" in header["msgstr"][0]
    assert f"nplurals={PLURAL_FORMS[language]};" in header["msgstr"][0]
    with (directory / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    assert len(entries) > 80
    for entry in entries:
        key = entry["msgid"] if entry["msgctxt"] is None else f"{entry['msgctxt']}\x04{entry['msgid']}"
        assert "fuzzy" not in entry["flags"], entry["msgid"]
        assert len(entry["msgstr"]) == (PLURAL_FORMS[language] if entry["msgid_plural"] else 1), entry["msgid"]
        for index, text in enumerate(entry["msgstr"]):
            assert text.strip(), f"{language}: {entry['msgid']!r}"
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(entry["msgid"])), (language, text)
            compiled_text = compiled._catalog.get((key, index) if entry["msgid_plural"] else key)
            assert compiled_text == text, f"recompile {language}: {entry['msgid']!r}"


def test_the_rate_limit_message_has_russian_plurals():
    with translation.override("ru"):
        words = [
            ngettext(
                "Too many requests. Try again in %(seconds)d second.",
                "Too many requests. Try again in %(seconds)d seconds.",
                n,
            )
            % {"seconds": n}
            for n in (1, 3, 11)
        ]
    assert [word.rsplit(" ", 1)[1] for word in words] == ["секунду.", "секунды.", "секунд."]
