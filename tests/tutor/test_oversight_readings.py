"""A learner's own page of who read their tutor conversations, and the links to it."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from lessons.models import Membership
from tests import factories as f
from tutor.oversight.services import read_conversation

pytestmark = pytest.mark.django_db


def readings_url():
    return reverse("tutor:oversight:my_readings")


@pytest.fixture
def read():
    """Lea's conversation on "What AI is", read by her teacher Tiina Tamm of Tamme School."""
    school = f.OrganisationFactory(name="Tamme School")
    group = f.GroupFactory(organisation=school)
    learner = f.member(group, username="lea")
    teacher = f.member(group, Membership.Role.TEACHER, first_name="Tiina", last_name="Tamm")
    conversation = f.ConversationFactory(user=learner, lesson=f.lesson(f.course()))
    f.question(learner, conversation=conversation)
    read_conversation(teacher, school, conversation)
    return learner, teacher, conversation


def test_the_learner_sees_who_read_which_conversation_and_when(client, read):
    learner, teacher, conversation = read
    client.force_login(learner)
    response = client.get(readings_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tiina Tamm" in page and "Tamme School" in page
    assert f'<a href="{conversation.lesson.url}">What AI is</a>' in page
    [entry] = response.context["page_obj"]
    assert f'<time datetime="{entry.accessed_at.isoformat()}"' in page


def test_another_user_sees_only_their_own_readings(client, read):
    learner, teacher, _ = read
    for other in (teacher, f.UserFactory()):
        client.force_login(other)
        response = client.get(readings_url())
        assert response.status_code == 200
        assert list(response.context["page_obj"]) == []
        assert "Tiina Tamm" not in response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, read):
    response = client.get(readings_url())
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_reading_outlives_the_readers_account(client, read):
    learner, teacher, _ = read
    teacher.delete()
    client.force_login(learner)
    assert "Tiina Tamm" in client.get(readings_url()).content.decode()


def test_the_dashboard_links_learners_in_a_class_to_the_page(client, read):
    learner, *_ = read
    client.force_login(learner)
    assert readings_url() in client.get(reverse("lessons:dashboard")).content.decode()
    client.force_login(f.UserFactory())  # in no class and never read: nothing to show
    assert readings_url() not in client.get(reverse("lessons:dashboard")).content.decode()


def test_the_tutor_panel_notice_links_to_the_page(read):
    learner, *_ = read
    notice = Template("{% load oversight %}{% tutor_oversight_notice %}").render(Context({"user": learner}))
    assert readings_url() in notice
