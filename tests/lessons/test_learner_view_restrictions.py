"""Learner endpoints honour what Wagtail's page serving honours: live state and view restrictions.

They take a page id from the URL, so without their own check a learner could enrol in, answer or
keep notes on a lesson that the site would refuse to show them.
"""

import pytest
from django.contrib.auth.models import Group as AuthGroup
from django.test import Client
from django.urls import reverse
from wagtail.models import PageViewRestriction

from lessons.learning.services import enrol
from lessons.models import Enrolment, QuizAttempt, ReflectionNote
from tests.factories import ALL_RIGHT, UserFactory, learning_course, quiz_answers, quiz_block

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    course, quiz_lesson, _reading = learning_course()
    learner = UserFactory(username="liis")
    enrol(user=learner, course=course)
    client = Client()
    client.force_login(learner)
    client.get(quiz_lesson.url)
    quiz_id = quiz_block(quiz_lesson).id
    reflection_id = next(block.id for block in quiz_lesson.body if block.block_type == "reflection")
    response = client.post(
        reverse("lessons:quiz", args=[quiz_lesson.id, quiz_id]), quiz_answers(quiz_lesson, ALL_RIGHT)
    )
    attempt_url = response.url
    return {
        "course": course,
        "lesson": quiz_lesson,
        "learner": learner,
        "client": client,
        "urls": {
            "enrol": reverse("lessons:enrol", args=[course.id]),
            "quiz": reverse("lessons:quiz", args=[quiz_lesson.id, quiz_id]),
            "note": reverse("lessons:reflection_note", args=[quiz_lesson.id, reflection_id]),
            "attempt": attempt_url,
        },
    }


def every_endpoint_is_hidden(world):
    client, urls, lesson = world["client"], world["urls"], world["lesson"]
    notes, attempts = ReflectionNote.objects.count(), QuizAttempt.objects.count()
    responses = {
        "enrol": client.post(urls["enrol"]),
        "quiz form": client.get(urls["quiz"], HTTP_HX_REQUEST="true"),
        "quiz submit": client.post(urls["quiz"], quiz_answers(lesson, ALL_RIGHT)),
        "note": client.post(urls["note"], {"text": "my note"}),
        "attempt": client.get(urls["attempt"]),
    }
    assert {name: response.status_code for name, response in responses.items()} == dict.fromkeys(responses, 404)
    assert (ReflectionNote.objects.count(), QuizAttempt.objects.count()) == (notes, attempts)


def test_a_group_restriction_on_the_course_hides_its_learner_endpoints(world):
    restriction = PageViewRestriction.objects.create(page=world["course"], restriction_type=PageViewRestriction.GROUPS)
    staff_only = AuthGroup.objects.create(name="Staff only")
    restriction.groups.add(staff_only)
    every_endpoint_is_hidden(world)

    world["learner"].groups.add(staff_only)
    assert world["client"].post(world["urls"]["note"], {"text": "now allowed"}).status_code == 302
    assert world["client"].get(world["urls"]["attempt"]).status_code == 200


def test_a_password_restriction_on_the_lesson_hides_its_learner_endpoints(world):
    PageViewRestriction.objects.create(
        page=world["lesson"], restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    client, urls, lesson = world["client"], world["urls"], world["lesson"]
    assert client.post(urls["note"], {"text": "my note"}).status_code == 404
    assert client.post(urls["quiz"], quiz_answers(lesson, ALL_RIGHT)).status_code == 404
    assert client.get(urls["attempt"]).status_code == 404


def test_an_unpublished_course_hides_its_lessons_learner_endpoints(world):
    world["course"].unpublish()
    every_endpoint_is_hidden(world)
    assert Enrolment.objects.filter(user=world["learner"]).count() == 1
