"""The teacher's "Flagged conversations" page and the mark-as-reviewed action."""

import pytest
from django.test import Client
from django.urls import reverse

from lessons.models import Membership
from tests.factories import (
    GroupFactory,
    OrganisationFactory,
    SafetyFlagFactory,
    member,
    org_admin,
    question,
)
from tutor.models import SafetyFlag

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    organisation = OrganisationFactory()
    class_1, class_2 = GroupFactory(organisation=organisation), GroupFactory(organisation=organisation)
    teacher_1, teacher_2 = member(class_1, Membership.Role.TEACHER), member(class_2, Membership.Role.TEACHER)
    learner_1, learner_2 = member(class_1), member(class_2)
    flag_1 = SafetyFlagFactory(message=question(learner_1, "I want to die"), category=SafetyFlag.Category.SELF_HARM)
    flag_2 = SafetyFlagFactory(
        message=question(learner_2, "you are so stupid"),
        category=SafetyFlag.Category.HARASSMENT,
        detail="insults or harassment",
    )
    return organisation, teacher_1, teacher_2, learner_1, learner_2, flag_1, flag_2


def flags_url(organisation, status=None):
    url = reverse("tutor:oversight:flags", args=[organisation.slug])
    return f"{url}?status={status}" if status else url


def review_url(organisation, flag):
    return reverse("tutor:oversight:review_flag", args=[organisation.slug, flag.pk])


def test_teacher_sees_flags_of_their_own_learners_only(client, school):
    organisation, teacher_1, _, learner_1, learner_2, flag_1, flag_2 = school
    client.force_login(teacher_1)
    response = client.get(flags_url(organisation))
    assert response.status_code == 200
    assert list(response.context["page_obj"]) == [flag_1]
    page = response.content.decode()
    assert "Self-harm" in page and learner_1.get_full_name() in page
    assert learner_2.get_full_name() not in page
    # The list names the kind of concern; the learner's words are only on the (logged) conversation page.
    assert "I want to die" not in page
    assert reverse("tutor:oversight:conversation", args=[organisation.slug, flag_1.message.conversation_id]) in page


def test_admin_sees_every_flag_of_the_organisation(client, school):
    organisation, *_, flag_1, flag_2 = school
    client.force_login(org_admin(organisation))
    assert set(client.get(flags_url(organisation)).context["page_obj"]) == {flag_1, flag_2}


def test_mark_as_reviewed_moves_the_flag_from_open_to_reviewed(client, school):
    organisation, teacher_1, *_, flag_1, _ = school
    client.force_login(teacher_1)
    response = client.post(review_url(organisation, flag_1), follow=True)
    assert response.status_code == 200
    assert "Marked the self-harm flag as reviewed." in response.content.decode()
    flag_1.refresh_from_db()
    assert flag_1.reviewed_by == teacher_1 and flag_1.reviewed_at is not None
    assert list(client.get(flags_url(organisation)).context["page_obj"]) == []
    assert list(client.get(flags_url(organisation, "reviewed")).context["page_obj"]) == [flag_1]


def test_teacher_of_another_group_or_organisation_cannot_review(client, school):
    organisation, _, teacher_2, *_, flag_1, _ = school
    other_admin = org_admin(OrganisationFactory())
    for outsider, org in [(teacher_2, organisation), (other_admin, organisation)]:
        client.force_login(outsider)
        assert client.post(review_url(org, flag_1)).status_code == 404
    flag_1.refresh_from_db()
    assert flag_1.reviewed_at is None


def test_review_needs_post_with_a_csrf_token(school):
    organisation, teacher_1, *_, flag_1, _ = school
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(teacher_1)
    assert csrf_client.get(review_url(organisation, flag_1)).status_code == 405
    assert csrf_client.post(review_url(organisation, flag_1)).status_code == 403
    flag_1.refresh_from_db()
    assert flag_1.reviewed_at is None


def test_a_learner_cannot_see_the_flag_list(client, school):
    organisation, *_, learner_1, _, _, _ = school
    client.force_login(learner_1)
    assert client.get(flags_url(organisation)).status_code == 404
