"""The identity app's catalogs: every message translated, none fuzzy, compiled and current (as cms's)."""

import gettext
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext as _

from tests.cms.test_catalogs import PLACEHOLDER, PLURAL_FORMS, read_po

LOCALE = Path(__file__).resolve().parents[2] / "identity" / "locale"


@pytest.mark.parametrize("language", sorted(PLURAL_FORMS))
def test_every_message_is_translated_compiled_and_keeps_its_placeholders(language):
    directory = LOCALE / language / "LC_MESSAGES"
    header, entries = read_po(directory / "django.po")
    assert "fuzzy" not in header["flags"] and f"Language: {language}\n" in header["msgstr"][0]
    with (directory / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    assert len(entries) > 40
    for entry in entries:
        (text,) = entry["msgstr"]
        assert "fuzzy" not in entry["flags"] and text.strip(), f"{language}: {entry['msgid']!r}"
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(entry["msgid"])), (language, text)
        assert compiled._catalog.get(entry["msgid"]) == text, f"recompile {language}: {entry['msgid']!r}"


def test_the_sign_in_button_speaks_the_page_language():
    with translation.override("et"):
        assert _("Continue with %(name)s") % {"name": "HarID"} == "Jätka teenusega HarID"
