"""Security headers and third parties: the Content-Security-Policy with its nonce, the admins' looser policy,
no Gravatar. (Log-in throttling: test_login_throttling.py; production settings: test_settings.py.)"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse
from wagtail.users.utils import get_gravatar_url

from tests import factories as f

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
# A page inside the personal-data download, opened from the person's disk: never served, so no policy applies.
NOT_SERVED = {"cms/templates/cms/account/personal_data_archive.html"}


def policy(response):
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";"))}


class InlineCode(HTMLParser):
    """What a strict policy would refuse or has to allow by nonce: inline scripts and styles, handlers, style=."""

    def __init__(self, html):
        super().__init__()
        self.inline_nonces, self.handlers, self.style_attributes, self.htmx_config = [], [], [], None
        self._tag = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style") and "src" not in attrs:
            self.inline_nonces.append((tag, attrs.get("nonce")))
        if tag == "meta" and attrs.get("name") == "htmx-config":
            self.htmx_config = attrs["content"]
        self.handlers += [name for name in attrs if name.startswith(("on", "hx-on"))]
        self.style_attributes += [tag for name in attrs if name == "style"]


@pytest.fixture
def learner_pages(client):
    """A signed-in learner enrolled in a course: the pages with the tutor panel, a quiz, a note and progress bars."""
    course, quiz_lesson, _reading = f.learning_course()
    client.force_login(f.UserFactory())
    client.post(reverse("lessons:enrol", args=[course.id]))
    return ["/en/", quiz_lesson.url, course.url, reverse("lessons:dashboard"), reverse("welcome")]


def test_learner_pages_run_only_this_sites_code_and_inline_code_with_the_nonce(client, learner_pages):
    for path in learner_pages:
        response = client.get(path)
        assert response.status_code == 200, path
        directives = policy(response)
        nonce = re.fullmatch(r"'nonce-([^']+)'", directives["script-src"][1]).group(1)
        assert directives["script-src"][0] == "'self'" and directives["style-src"][:2] == ["'self'", f"'nonce-{nonce}'"]
        assert "'unsafe-inline'" not in directives["script-src"] + directives["style-src"], path
        assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'self'"]

        page = InlineCode(response.content.decode())
        assert all(found == nonce for _tag, found in page.inline_nonces), path
        assert f'"inlineStyleNonce": "{nonce}"' in page.htmx_config, path  # htmx's own <style> carries it
        assert '"allowEval": false' in page.htmx_config
        assert page.handlers == [] and page.style_attributes == [], path
    assert "data-tutor-panel" in client.get(learner_pages[1]).content.decode()  # the panel was on the lesson


def test_each_response_has_its_own_nonce(client):
    first, second = (policy(client.get("/en/"))["script-src"][1] for _ in range(2))
    assert first != second


def test_no_template_needs_inline_code_the_policy_refuses():
    """Inline handlers, style attributes and hx-on (htmx evaluates it) are refused by the policy; use data
    attributes and cms/static/cms/js/site.js. An inline <script> or <style> needs nonce="{{ request.csp_nonce }}"."""
    refused = re.compile(r"\son[a-z]+\s*=|\sstyle\s*=|\shx-on|<(script|style)(?![^>]*\b(src|nonce)=)[^>]*>")
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0).strip()}"
        for app in ("cms", "lessons", "tutor")
        for path in sorted((ROOT / app).glob("**/templates/**/*.html"))
        if str(path.relative_to(ROOT)) not in NOT_SERVED
        for match in refused.finditer(path.read_text())
    ]
    assert offenders == []


@pytest.mark.parametrize("path", ["/admin/", "/django-admin/"])
def test_the_admins_get_a_looser_policy_that_still_refuses_other_origins(client, path):
    client.force_login(f.UserFactory(is_staff=True, is_superuser=True))
    response = client.get(path)
    assert response.status_code == 200
    directives = policy(response)
    assert directives["script-src"] == ["'self'", "'unsafe-inline'"]  # no nonce, which would disable unsafe-inline
    assert directives["default-src"] == ["'self'"] and directives["object-src"] == ["'none'"]


def test_the_wagtail_admin_sends_no_e_mail_hashes_to_gravatar(client):
    assert get_gravatar_url("editor@example.org") is None
    client.force_login(f.UserFactory(is_staff=True, is_superuser=True, email="editor@example.org"))
    assert "gravatar" not in client.get("/admin/").content.decode()
