"""Oversight inside the learner's real path: the panel's notice, a flagged question, an exhausted budget."""

import pytest
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.urls import reverse

from lessons.models import Membership
from tests.factories import GroupFactory, OrganisationFactory, member, question, reply, with_budget
from tests.tutor.conftest import drain
from tutor.models import Message, SafetyFlag

pytestmark = pytest.mark.django_db


def render_panel(lesson, user):
    request = RequestFactory().get(lesson.url)
    request.user = user
    return Template('{% load extension_points %}{% extension_point "lesson_page_aside" page %}').render(
        RequestContext(request, {"page": lesson})
    )


def test_panel_tells_a_learner_in_a_class_who_can_read(lesson, student):
    assert "can read your tutor conversations" not in render_panel(lesson, student)
    member(GroupFactory(organisation=OrganisationFactory(name="Tamme School")), user=student)
    panel = render_panel(lesson, student)
    assert "Your teachers and organisation admins at" in panel
    assert "Tamme School" in panel


def ask(client, lesson, text):
    response = client.post(reverse("tutor:ask", args=[lesson.pk]), {"question": text})
    body = b"".join(drain(response.streaming_content)) if response.streaming else response.content
    return response, body.decode()


def test_a_worrying_question_is_answered_and_flagged_for_the_teacher(client, chat_model, lesson, student):
    group = GroupFactory()
    member(group, user=student)
    teacher = member(group, Membership.Role.TEACHER)
    client.force_login(student)

    response, _ = ask(client, lesson, "I want to die, is a chatbot's source real?")

    assert response.status_code == 200
    flag = SafetyFlag.objects.get()
    assert flag.category == SafetyFlag.Category.SELF_HARM
    assert flag.message.conversation.user == student
    client.force_login(teacher)
    flags_page = client.get(reverse("tutor:oversight:flags", args=[group.organisation.slug]))
    assert list(flags_page.context["page_obj"]) == [flag]


def test_an_exhausted_budget_tells_the_learner_when_it_resets(client, chat_model, lesson, student):
    school = with_budget(OrganisationFactory(name="Tamme School"), questions=1)
    member(GroupFactory(organisation=school), user=student)
    reply(question(student))
    client.force_login(student)

    response, body = ask(client, lesson, "What is a hallucination?")

    assert response.status_code == 429
    assert "The tutor budget of Tamme School for this month is used up (1 of 1 questions)" in body
    assert "You can ask the tutor again from 1 " in body
    assert Message.objects.filter(text="What is a hallucination?", role=Message.Role.LEARNER).exists()
    assert chat_model.chat_requests() == []
