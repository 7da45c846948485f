"""The lti app's catalogs: complete, nothing fuzzy, placeholders kept, compiled; and in use on its pages."""

import gettext
from pathlib import Path

import pytest
from django.utils import translation

from tests.cms.test_catalogs import PLACEHOLDER, PLURAL_FORMS, read_po

LOCALE = Path(__file__).resolve().parents[2] / "lti" / "locale"


@pytest.mark.parametrize("language", sorted(PLURAL_FORMS))
def test_every_message_is_translated_and_compiled(language):
    directory = LOCALE / language / "LC_MESSAGES"
    header, entries = read_po(directory / "django.po")
    assert f"Language: {language}\n" in header["msgstr"][0]
    assert f"nplurals={PLURAL_FORMS[language]};" in header["msgstr"][0]
    with (directory / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    for entry in entries:
        assert "fuzzy" not in entry["flags"], entry["msgid"]
        assert len(entry["msgstr"]) == (PLURAL_FORMS[language] if entry["msgid_plural"] else 1), entry["msgid"]
        key = entry["msgid"] if entry["msgctxt"] is None else f"{entry['msgctxt']}\x04{entry['msgid']}"
        for index, form in enumerate(entry["msgstr"]):
            assert form.strip(), f"{language}: {entry['msgid']!r} is untranslated"
            assert sorted(PLACEHOLDER.findall(form)) == sorted(PLACEHOLDER.findall(entry["msgid"])), (language, form)
            compiled_form = compiled._catalog.get((key, index) if entry["msgid_plural"] else key)
            assert compiled_form == form, f"recompile {language}: {entry['msgid']!r}"


@pytest.mark.django_db
def test_a_refused_launch_speaks_the_learners_language(client):
    response = client.post("/lti/launch/", {"state": "x"}, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 403
    with translation.override("ru"):
        assert "Не удалось проверить запуск из вашей СДО" in response.content.decode()
