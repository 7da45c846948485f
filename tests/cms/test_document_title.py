"""Browser tab titles name the page and then the site, and never the site twice."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from tests import factories as f

pytestmark = pytest.mark.django_db


def title_of(response):
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1)


def test_the_home_page_title_is_the_site_name_once(client):
    assert title_of(client.get("/en/")) == "AI Literacy"


def test_other_pages_name_themselves_then_the_site(client):
    lesson = f.lesson(f.course("AI basics"), title="Bias & fairness", slug="bias-and-fairness")
    assert title_of(client.get(lesson.url)) == "Bias &amp; fairness · AI Literacy"
    assert title_of(client.get(reverse("login"))) == "Log in · AI Literacy"


def test_the_site_name_follows_the_language(client):
    with translation.override("et"):
        site_name = translation.gettext("AI Literacy")
    assert title_of(client.get("/et/")).endswith(site_name)
