"""Teachers translate lessons in the admin; translations go through the same "Lesson review"."""

import pytest
from wagtail.models import Locale

from lessons.authoring.roles import AuthoringGroup
from lessons.authoring.services import WORKFLOW_NAME, ensure_catalogue_authoring
from lessons.models import LessonPage
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_teacher_translates_a_lesson_and_it_is_reviewed_before_it_is_live(client):
    course = f.course("AI basics")
    ensure_catalogue_authoring(course.get_parent())
    lesson = f.lesson(course, "What AI is", body=[f.heading("Where you meet AI"), f.paragraph("<p>Phones.</p>")])
    estonian = Locale.objects.get(language_code="et")
    course.get_parent().copy_for_translation(estonian, copy_parents=True, alias=True)  # as the loader does
    client.force_login(f.UserFactory(username="tess", groups=[AuthoringGroup.TEACHERS]))

    response = client.post(
        f"/admin/translation/submit/page/{course.pk}/", {"locales": [estonian.pk], "include_subtree": "on"}
    )

    assert response.status_code == 302
    translation = LessonPage.objects.get(translation_key=lesson.translation_key, locale__language_code="et")
    assert not translation.live, "a translation starts as a draft"
    catalogue = translation.get_parent().get_parent().specific
    assert catalogue.locale.language_code == "et"
    assert translation.get_workflow().name == WORKFLOW_NAME
    assert translation.permissions_for_user(f.UserFactory(username="tess")).can_edit()
    assert not translation.permissions_for_user(f.UserFactory(username="tess")).can_publish()


def test_only_authors_may_translate(client):
    lesson = f.lesson(f.course("AI basics"), "What AI is")
    client.force_login(f.UserFactory(username="sam"))

    response = client.post(
        f"/admin/translation/submit/page/{lesson.pk}/", {"locales": [Locale.objects.get(language_code="et").pk]}
    )

    assert response.status_code in (302, 403)
    assert not LessonPage.objects.filter(translation_key=lesson.translation_key, locale__language_code="et").exists()
