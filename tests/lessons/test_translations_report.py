"""The admin's Translations report shows which translations fell behind their source."""

import pytest

from lessons.authoring.roles import AuthoringGroup
from lessons.authoring.translations import out_of_date_translations
from tests import factories as f

pytestmark = pytest.mark.django_db
REPORT = "/admin/reports/translations/"


def test_a_translation_is_out_of_date_once_its_source_is_republished(client):
    lesson = f.lesson(f.course("AI basics"), "What AI is", body=[f.paragraph("<p>Phones.</p>")])
    translation = f.translate(lesson, "et", title="Mis on TI", body=[f.paragraph("<p>Telefonid.</p>")])
    assert out_of_date_translations() == []

    lesson.summary = "Now with a summary."
    lesson.save_revision().publish()

    assert [page.pk for page in out_of_date_translations()] == [translation.pk]
    client.force_login(f.UserFactory(username="tess", groups=[AuthoringGroup.TEACHERS]))
    page = client.get(f"{REPORT}?status=out-of-date").content.decode()
    assert "Mis on TI" in page and "out of date" in page

    translation.save_revision().publish()
    assert out_of_date_translations() == []


def test_learners_cannot_open_the_report(client):
    client.force_login(f.UserFactory(username="sam"))
    assert client.get(REPORT).status_code in (302, 403)
