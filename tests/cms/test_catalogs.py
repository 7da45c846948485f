"""The cms catalogs: every message translated, none fuzzy, the right plural forms, compiled and current."""

import gettext
import re
from pathlib import Path

import django
import pytest
from django.utils import translation
from django.utils.translation import ngettext

from cms import django_strings

LOCALE = Path(__file__).resolve().parents[2] / "cms" / "locale"
PLURAL_FORMS = {"en": 2, "et": 2, "ru": 3, "kk": 2}  # en: the source wording, editable in its catalog
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|<[^>]+>")


def unquote(text):
    return re.sub(r'\\(["\\n])', lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def parse_po(text):
    """The entries of a .po file: dicts of flags, references, msgctxt, msgid, msgid_plural and msgstr (forms)."""
    entries = []
    for block in text.split("\n\n"):
        entry = {"flags": [], "references": [], "msgctxt": None, "msgid_plural": None, "msgstr": {}}
        field = None
        for line in block.strip().splitlines():
            if line.startswith("#,"):
                entry["flags"] += [flag.strip() for flag in line[2:].split(",")]
            elif line.startswith("#:"):
                entry["references"] += line[2:].split()
            elif line.startswith("#"):
                continue
            elif match := re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d)\])?) "(.*)"$', line):
                field = match.group(1)
                value = unquote(match.group(3))
                if field.startswith("msgstr"):
                    field = int(match.group(2) or 0)
                    entry["msgstr"][field] = value
                else:
                    entry[field] = value
            elif line.startswith('"') and field is not None:
                if isinstance(field, int):
                    entry["msgstr"][field] += unquote(line[1:-1])
                else:
                    entry[field] += unquote(line[1:-1])
        if "msgid" in entry:
            entry["msgstr"] = [entry["msgstr"][index] for index in sorted(entry["msgstr"])]
            entries.append(entry)
    return entries


def read_po(path):
    """(header, entries) of a .po file."""
    entries = parse_po(path.read_text(encoding="utf-8"))
    return entries[0], entries[1:]


@pytest.mark.parametrize("language", sorted(PLURAL_FORMS))
def test_every_message_is_translated_and_none_is_fuzzy(language):
    header, entries = read_po(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert "fuzzy" not in header["flags"]
    assert f"Language: {language}\n" in header["msgstr"][0]
    assert f"nplurals={PLURAL_FORMS[language]};" in header["msgstr"][0]
    assert len(entries) > 80
    for entry in entries:
        assert "fuzzy" not in entry["flags"], entry["msgid"]
        expected_forms = PLURAL_FORMS[language] if entry["msgid_plural"] else 1
        assert len(entry["msgstr"]) == expected_forms, entry["msgid"]
        for form in entry["msgstr"]:
            assert form.strip(), f"{language}: {entry['msgid']!r} is untranslated"
            # Same placeholders and markup as the English, or the page would break or lose the value.
            assert sorted(PLACEHOLDER.findall(form)) == sorted(PLACEHOLDER.findall(entry["msgid"])), (
                language,
                entry["msgid"],
                form,
            )


@pytest.mark.parametrize("language", sorted(PLURAL_FORMS))
def test_the_compiled_catalog_matches_the_po_file(language):
    directory = LOCALE / language / "LC_MESSAGES"
    _header, entries = read_po(directory / "django.po")
    with (directory / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    for entry in entries:
        key = entry["msgid"] if entry["msgctxt"] is None else f"{entry['msgctxt']}\x04{entry['msgid']}"
        if entry["msgid_plural"]:
            forms = [compiled._catalog.get((key, index)) for index in range(PLURAL_FORMS[language])]
            assert forms == entry["msgstr"], f"recompile {language}: {entry['msgid']!r}"
        else:
            assert compiled._catalog.get(key) == entry["msgstr"][0], f"recompile {language}: {entry['msgid']!r}"


def test_russian_plurals_use_three_forms():
    with translation.override("ru"):
        words = [
            ngettext(
                "Your password must contain at least %(min_length)d character.",
                "Your password must contain at least %(min_length)d characters.",
                n,
            )
            % {"min_length": n}
            for n in (1, 3, 8, 21, 12)
        ]
    assert [word.rsplit(" ", 1)[1] for word in words] == ["символ.", "символа.", "символов.", "символ.", "символов."]


def test_the_copied_django_messages_are_still_djangos():
    """cms/django_strings.py repeats Django's messages; if Django changed one, ours would silently stop applying."""
    django_root = Path(django.__file__).parent
    english = set()
    for catalog in ("conf", "contrib/auth"):
        for entry in parse_po((django_root / catalog / "locale/en/LC_MESSAGES/django.po").read_text(encoding="utf-8")):
            english.update({entry["msgid"], entry["msgid_plural"]})
    _header, entries = read_po(LOCALE / "et" / "LC_MESSAGES" / "django.po")
    copied = [entry for entry in entries if any(ref.startswith("django_strings.py") for ref in entry["references"])]
    assert len(copied) == len(django_strings.MESSAGES) + len(django_strings.PLURAL_MESSAGES)
    for entry in copied:
        assert entry["msgid"] in english, entry["msgid"]
        assert entry["msgid_plural"] in english | {None}, entry["msgid_plural"]
