"""A lesson's sources: shown to readers with a "last checked" date, and indexed so the tutor can cite them."""

import datetime

import pytest
from django.utils.formats import date_format

from tests import factories as f
from tutor.indexing.chunking import chunk_page

pytestmark = pytest.mark.django_db

AI_ACT = (
    "Regulation (EU) 2024/1689 (Artificial Intelligence Act)",
    "Official Journal of the European Union",
    "2024-07-12",
    "https://eur-lex.europa.eu/eli/reg/2024/1689/oj",
)


def lesson_with_sources():
    course = f.course("AI at work")
    return f.lesson(
        course,
        "The EU AI Act in plain words",
        body=[
            f.heading("When the rules apply"),
            f.paragraph("<p>The Act entered into force on 1 August 2024.</p>"),
            f.sources(
                AI_ACT, ("A study without a link", "A publisher", "", ""), last_checked=datetime.date(2026, 11, 29)
            ),
        ],
    )


def test_the_lesson_page_lists_its_sources_with_links_and_the_last_checked_date(client):
    html = client.get(lesson_with_sources().url).content.decode()
    section = html[html.index('id="sources"') :]
    assert 'href="https://eur-lex.europa.eu/eli/reg/2024/1689/oj"' in section
    assert "Official Journal of the European Union, 2024-07-12." in section
    assert "A study without a link" in section
    assert f"Last checked: {date_format(datetime.date(2026, 11, 29))}" in section


def test_the_sources_are_their_own_cited_section_in_the_tutor_index():
    chunks = chunk_page(lesson_with_sources())
    cited = [chunk for chunk in chunks if chunk.anchor == "sources"]
    assert len(cited) == 1 and cited[0].section_title == "Sources"
    assert "Regulation (EU) 2024/1689" in cited[0].text and "Official Journal" in cited[0].text
    assert all("Regulation (EU)" not in chunk.text for chunk in chunks if chunk.anchor != "sources")
