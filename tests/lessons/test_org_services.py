"""Joining by code, invitations, group creation and assignments (lessons.organisations)."""

import datetime

import pytest
from django.core import mail

from lessons.models import Assignment, Membership
from lessons.organisations import services
from lessons.organisations.exceptions import InvitationUsed, JoinCodeRefused
from tests.factories import GroupFactory, OrganisationFactory, UserFactory, course_with_lessons, member

pytestmark = pytest.mark.django_db
Role = Membership.Role


def test_create_group_makes_its_creator_the_teacher():
    organisation = OrganisationFactory()
    teacher = UserFactory()
    group = services.create_group(organisation=organisation, name="  Class 9B ", created_by=teacher)
    assert group.name == "Class 9B"
    assert group.join_code_enabled and len(group.join_code) == 8
    membership = Membership.objects.get(user=teacher, group=group)
    assert (membership.role, membership.organisation) == (Role.TEACHER, organisation)


def test_the_right_code_joins_as_learner_even_typed_loosely():
    group = GroupFactory(join_code="K7QP2XMA")
    learner = UserFactory()
    membership, created = services.join_by_code(user=learner, code=" k7qp-2xma ")
    assert created
    assert (membership.group, membership.organisation, membership.role) == (group, group.organisation, Role.LEARNER)


def test_joining_twice_keeps_one_membership():
    group = GroupFactory()
    learner = UserFactory()
    services.join_by_code(user=learner, code=group.join_code)
    _, created = services.join_by_code(user=learner, code=group.join_code)
    assert not created
    assert Membership.objects.filter(user=learner, group=group).count() == 1


def test_a_teacher_joining_their_own_code_stays_teacher():
    group = GroupFactory()
    teacher = member(group, Role.TEACHER)
    membership, created = services.join_by_code(user=teacher, code=group.join_code)
    assert not created and membership.role == Role.TEACHER


def test_a_learner_can_be_in_groups_of_several_organisations():
    learner = UserFactory()
    first, second = GroupFactory(), GroupFactory()
    services.join_by_code(user=learner, code=first.join_code)
    services.join_by_code(user=learner, code=second.join_code)
    assert set(learner.memberships.values_list("organisation", flat=True)) == {
        first.organisation_id,
        second.organisation_id,
    }


def test_a_wrong_code_is_refused_with_a_clear_message():
    GroupFactory(join_code="K7QP2XMA")
    with pytest.raises(JoinCodeRefused) as error:
        services.join_by_code(user=UserFactory(), code="ZZZZZZZZ")
    assert error.value.code == "wrong_code"
    assert "does not match any class" in error.value.message


def test_a_rotated_code_stops_working_and_the_new_one_works():
    group = GroupFactory()
    old = group.join_code
    new = services.rotate_join_code(group)
    assert new != old
    with pytest.raises(JoinCodeRefused) as error:
        services.join_by_code(user=UserFactory(), code=old)
    assert error.value.code == "wrong_code"
    membership, _ = services.join_by_code(user=UserFactory(), code=new)
    assert membership.group == group


def test_a_disabled_code_is_refused_until_switched_back_on():
    group = GroupFactory()
    services.set_join_code_enabled(group, False)
    learner = UserFactory()
    with pytest.raises(JoinCodeRefused) as error:
        services.join_by_code(user=learner, code=group.join_code)
    assert error.value.code == "code_disabled"
    assert not Membership.objects.filter(user=learner).exists()
    services.set_join_code_enabled(group, True)
    assert services.join_by_code(user=learner, code=group.join_code)[1]


def test_an_invitation_is_mailed_and_accepting_it_joins_with_its_role(django_capture_on_commit_callbacks):
    group = GroupFactory(name="Class 9B")
    teacher = member(group, Role.TEACHER, first_name="Tom", last_name="Teacher")
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invite(
            group=group, email="Sam@Example.org ", role=Role.LEARNER, invited_by=teacher, site_url="http://testserver/"
        )
    assert invitation.email == "sam@example.org"
    [message] = mail.outbox
    assert message.to == ["sam@example.org"]
    assert "Tom Teacher invites you to join Class 9B" in message.body
    assert f"http://testserver/en/learn/org/invitations/{invitation.token}/" in message.body

    sam = UserFactory(username="sam")
    membership = services.accept_invitation(invitation=invitation, user=sam)
    assert (membership.group, membership.role) == (group, Role.LEARNER)
    invitation.refresh_from_db()
    assert invitation.accepted_by == sam and invitation.accepted_at is not None


def test_an_invitation_works_only_once():
    group = GroupFactory()
    invitation = services.invite(
        group=group, email="a@example.org", role=Role.LEARNER, invited_by=member(group, Role.TEACHER), site_url="/"
    )
    first = UserFactory()
    services.accept_invitation(invitation=invitation, user=first)
    assert services.accept_invitation(invitation=invitation, user=first).user == first  # repeat click is harmless
    other = UserFactory()
    with pytest.raises(InvitationUsed, match="already been used"):
        services.accept_invitation(invitation=invitation, user=other)
    assert not Membership.objects.filter(user=other).exists()


def test_assigning_again_changes_the_due_date_instead_of_duplicating():
    group = GroupFactory()
    course, _ = course_with_lessons()
    services.assign_course(group=group, course=course, due_date=datetime.date(2030, 1, 1), assigned_by=None)
    services.assign_course(group=group, course=course, due_date=datetime.date(2030, 2, 1), assigned_by=None)
    assignment = Assignment.objects.get(group=group)
    assert assignment.due_date == datetime.date(2030, 2, 1)
    assert not course.enrolments.exists(), "assigning does not enrol; learners enrol when they start"
