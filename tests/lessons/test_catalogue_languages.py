"""Each language has its home page and catalogue; a catalogue falls back to originals not translated yet."""

import pytest

from lessons.curriculum.loader import load_demo_curriculum

pytestmark = pytest.mark.django_db


def listed(client, path):
    courses = client.get(path).context["courses"]
    return [(course.slug, course.locale.language_code, course.shown_in_other_language) for course in courses]


def test_each_catalogue_lists_its_language_and_falls_back_to_the_marked_original(client):
    load_demo_curriculum()  # one load for every check: it is the slow part

    assert listed(client, "/ru/courses/") == [
        ("ai-basics", "ru", False),
        ("teaching-with-ai", "en", True),
        ("ai-at-work", "en", True),
    ]
    assert listed(client, "/et/courses/") == [
        ("ai-basics", "et", False),
        ("teaching-with-ai", "et", False),
        ("ai-at-work", "et", False),
    ]
    assert [language for _slug, language, _other in listed(client, "/en/courses/")] == ["en", "en", "en"]
    assert listed(client, "/ru/courses/?audience=teachers") == [("teaching-with-ai", "en", True)]

    estonian_home = client.get("/et/").content.decode()
    assert "Mõista tehisintellekti. Kasuta seda targalt." in estonian_home
    assert 'href="/et/courses/?audience=students"' in estonian_home and "Õpilastele" in estonian_home
    russian_catalogue = client.get("/ru/courses/").content.decode()
    assert "<h1>Курсы</h1>" in russian_catalogue or ">Курсы<" in russian_catalogue
