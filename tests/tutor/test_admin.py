"""Editors see each lesson's tutor index status in the Wagtail admin; learners do not get in."""

import pytest
from django.urls import reverse

from tests import factories as f
from tests.tutor.spies import CountingProvider
from tutor.indexing.embeddings import EmbeddingError
from tutor.indexing.indexer import index_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed_and_failed():
    course = f.course()
    good = f.lesson(course, "Indexed lesson", body=[f.heading("One"), f.paragraph("<p>Some text.</p>")])
    bad = f.lesson(course, "Broken lesson", body=[f.paragraph("<p>Other text.</p>")])
    index_page(good, provider=CountingProvider())
    with pytest.raises(EmbeddingError):
        index_page(bad, provider=CountingProvider(fail_with=EmbeddingError("endpoint refused")))
    return good, bad


def test_report_lists_chunks_model_last_indexed_and_last_error(client, indexed_and_failed):
    client.force_login(f.UserFactory(username="admin", is_superuser=True, is_staff=True))

    response = client.get(reverse("tutor_index_report"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Indexed lesson" in html and "Broken lesson" in html
    assert "local:multilingual-e5-small-q4" in html
    assert "indexed" in html and "failed" in html
    assert "EmbeddingError: endpoint refused" in html


def test_report_filters_to_one_page_and_the_explorer_links_to_it(client, indexed_and_failed):
    good, bad = indexed_and_failed
    client.force_login(f.UserFactory(username="admin", is_superuser=True, is_staff=True))

    one = client.get(reverse("tutor_index_report"), {"page": good.pk}).content.decode()
    explorer = client.get(reverse("wagtailadmin_explore", args=[good.get_parent().pk])).content.decode()

    assert "Indexed lesson" in one and "Broken lesson" not in one
    assert f"{reverse('tutor_index_report')}?page={good.pk}" in explorer
    assert "Tutor index: indexed, 1 chunks" in explorer


def test_learners_cannot_open_the_report(client, indexed_and_failed):
    client.force_login(f.UserFactory(username="learner"))

    response = client.get(reverse("tutor_index_report"))

    assert response.status_code in (302, 403)
    assert "Broken lesson" not in response.content.decode()
