"""Links in model output: only this site's pages and allow-listed domains stay links; the rest becomes text."""

import pytest

from tutor.answering.rendering import is_trusted_link, render_answer

CITATIONS = [{"number": 1, "url": "/en/courses/ai/lesson/#limits", "title": "Lesson", "section": "Limits"}]


@pytest.fixture(autouse=True)
def hosts(settings):
    settings.ALLOWED_HOSTS = ["learn.example.org", ".school.ee", "*"]
    settings.TUTOR_LINK_ALLOWED_DOMAINS = ["wikipedia.org"]


def links(html):
    return html.count("<a ")


@pytest.mark.parametrize(
    "url",
    [
        "/en/courses/ai/lesson/#limits",
        "#limits",
        "?page=2",
        "lesson/",
        "https://learn.example.org/en/courses/",
        "HTTPS://LEARN.EXAMPLE.ORG/en/",
        "https://learn.example.org./en/",
        "http://learn.example.org:8443/en/",
        "https://school.ee/",
        "https://tamme.school.ee/en/",
        "https://en.wikipedia.org/wiki/Machine_learning",
        "https://wikipedia.org/",
    ],
)
def test_links_to_this_site_and_allowed_domains_stay_links(url):
    html = render_answer(f"Read [this page]({url}).", [])

    assert links(html) == 1 and "this page</a>" in html


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.org/steal?answer=42",
        "https://learn.example.org.evil.org/",
        "https://wikipedia.org.evil.org/",
        "https://notwikipedia.org/",
        "https://learn.example.org@evil.org/",
        "//evil.org/path",
        "/\\evil.org/path",
        "https:evil.org",
        "https:///evil.org",
        "https://exаmple.org/",  # a Cyrillic "а"
    ],
)
def test_other_web_links_become_text_that_keeps_the_address(url):
    html = render_answer(f"Read [this page]({url}).", [])

    assert links(html) == 0 and not is_trusted_link(url)
    assert f"this page ({url})" in html.replace("&amp;", "&")


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JaVaScRiPt:alert(document.cookie)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "vbscript:x",
        "ftp://learn.example.org/file",
    ],
)
def test_script_data_and_other_non_web_addresses_are_dropped_leaving_the_label(url):
    html = render_answer(f"Press [here]({url}) now.", [])

    assert html == "<p>Press here now.</p>"


def test_autolinks_and_formatted_labels_become_plain_text_once():
    html = render_answer("See <https://evil.org/x> and [**bold** claim](https://evil.org/y).", [])

    assert links(html) == 0
    assert "See https://evil.org/x and <strong>bold</strong> claim (https://evil.org/y)." in html


@pytest.mark.parametrize(
    "raw",
    [
        '<a href="https://evil.org/">raw</a>',
        '<a href="//evil.org/">raw</a>',
        "[raw](https&#58;//evil.org/)",  # an entity the browser would decode into a link
    ],
)
def test_untrusted_links_written_as_html_lose_their_target(raw):
    html = render_answer(f"Look: {raw}", [])

    assert "href" not in html and "evil.org" not in html.split("</a>")[0].split(">", 1)[0]
    assert "raw" in html


def test_raw_html_links_to_this_site_are_kept():
    assert '<a href="/en/ok/" rel="noopener noreferrer">ok</a>' in render_answer('<a href="/en/ok/">ok</a>', [])


def test_citations_still_link_to_their_section():
    html = render_answer("Models can be wrong [1].", CITATIONS)

    assert '<a href="/en/courses/ai/lesson/#limits" title="Lesson › Limits" rel="noopener noreferrer">[1]</a>' in html


def test_a_wildcard_allowed_host_trusts_nothing_and_no_allow_list_means_only_this_site(settings):
    settings.ALLOWED_HOSTS = ["*"]
    settings.TUTOR_LINK_ALLOWED_DOMAINS = []

    assert is_trusted_link("/en/lesson/")
    assert not is_trusted_link("https://learn.example.org/")
    assert not is_trusted_link("https://en.wikipedia.org/")
