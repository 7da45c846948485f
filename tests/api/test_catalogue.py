"""The public part: published, unrestricted courses and their lessons by language, and certificate verification."""

import datetime

import pytest
from django.utils import timezone
from wagtail.models import PageViewRestriction

from lessons.models import Certificate, CoursePage
from tests.factories import CompetenceFactory, course, lesson, translate

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    basics = course(
        title="AI basics",
        audience="students",
        level="beginner",
        estimated_minutes=45,
        intro="<p>What <b>AI</b> is.</p>",
        topics=["chatbots"],
        competences=[CompetenceFactory(key="human-centred", name="Human-centred mindset")],
    )
    first = lesson(basics, title="What AI is", summary="Where you meet it.")
    lesson(basics, title="How models learn")
    lesson(basics, title="Draft lesson", publish=False)
    estonian = translate(basics, "et", title="Tehisintellekti alused")
    course(title="Unpublished course", publish=False)
    private = course(title="Staff only")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    return {"basics": basics, "estonian": estonian, "first": first, "private": private}


def test_courses_are_listed_with_their_metadata_in_every_language(api, catalogue):
    response = api("get", "/courses")
    assert response.status_code == 200
    items = {item["title"]: item for item in response.json()["items"]}
    assert set(items) == {"AI basics", "Tehisintellekti alused"}  # no draft, no restricted course
    basics = items["AI basics"]
    assert basics["locale"] == "en" and items["Tehisintellekti alused"]["locale"] == "et"
    assert basics["translation_key"] == items["Tehisintellekti alused"]["translation_key"]
    assert (basics["audience"], basics["level"], basics["estimated_minutes"]) == ("students", "beginner", 45)
    assert basics["intro_html"] == "<p>What <b>AI</b> is.</p>"
    assert basics["topics"] == ["chatbots"]
    assert basics["competences"] == [{"key": "human-centred", "name": "Human-centred mindset"}]
    assert basics["lesson_count"] == 2 and basics["url"].endswith("/courses/ai-basics/")

    assert [item["title"] for item in api("get", "/courses", locale="et").json()["items"]] == ["Tehisintellekti alused"]
    later = (timezone.now() + datetime.timedelta(minutes=1)).isoformat()
    assert api("get", "/courses", updated_since=later).json()["count"] == 0


def test_a_course_and_its_lessons_in_course_order(api, catalogue):
    basics = catalogue["basics"]
    assert api("get", f"/courses/{basics.pk}").json()["title"] == "AI basics"
    lessons = api("get", f"/courses/{basics.pk}/lessons").json()
    assert [(item["position"], item["title"]) for item in lessons["items"]] == [
        (1, "What AI is"),
        (2, "How models learn"),
    ]
    assert lessons["items"][0]["summary"] == "Where you meet it." and lessons["items"][0]["locale"] == "en"


def test_courses_nobody_may_open_are_not_found(api, catalogue):
    unpublished = CoursePage.objects.get(title="Unpublished course").pk
    for course_id in (catalogue["private"].pk, unpublished, 10**6):
        for path in (f"/courses/{course_id}", f"/courses/{course_id}/lessons"):
            response = api("get", path)
            assert response.status_code == 404 and response.json()["code"] == "not_found", path


def test_a_certificate_verifies_by_its_code_and_says_when_it_was_revoked(api):
    valid = Certificate.objects.create(learner_name="Mari Maasikas", course_title="AI basics")
    body = api("get", f"/certificates/{valid.code}").json()
    assert body["valid"] and body["learner_name"] == "Mari Maasikas" and body["course_title"] == "AI basics"
    assert body["revoked_at"] is None

    revoked = Certificate.objects.create(course_title="AI basics", revoked_at=timezone.now())
    body = api("get", f"/certificates/{revoked.code}").json()
    assert not body["valid"] and body["learner_name"] == "" and body["revoked_at"]

    missing = api("get", "/certificates/no-such-code")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_public_calls_are_metered_per_client_address(api, settings):
    settings.API_ANONYMOUS_RATE_LIMIT = "2/m"
    assert [api("get", "/courses").status_code for _ in range(2)] == [200, 200]
    refused = api("get", "/courses")
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert 0 < int(refused["Retry-After"]) <= 60
