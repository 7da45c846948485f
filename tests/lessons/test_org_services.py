"""Joining by code, invitations, group creation, assignments and enrolment (lessons.organisations)."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from lessons.models import Assignment, Enrolment, Invitation, Membership
from lessons.organisations import services
from lessons.organisations.exceptions import InvitationRefused, JoinCodeRefused
from tests.factories import (
    GroupFactory,
    OrganisationFactory,
    UserFactory,
    assign,
    course,
    course_with_lessons,
    member,
    translate,
)

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
    assert "only for an account with the e-mail address sam@example.org" in message.body

    sam = UserFactory(username="sam")
    membership = services.accept_invitation(invitation=invitation, user=sam)
    assert (membership.group, membership.role) == (group, Role.LEARNER)
    invitation.refresh_from_db()
    assert invitation.accepted_by == sam and invitation.accepted_at is not None


def invitation_for(email, group=None, role=Role.LEARNER):
    group = group or GroupFactory()
    return services.invite(
        group=group, email=email, role=role, invited_by=member(group, Role.TEACHER), site_url="http://testserver/"
    )


def refusal(invitation, user):
    with pytest.raises(InvitationRefused) as refused:
        services.accept_invitation(invitation=invitation, user=user)
    assert not Membership.objects.filter(user=user, group=invitation.group).exists()
    return refused.value


def test_an_invitation_works_only_once():
    invitation = invitation_for("a@example.org")
    first = UserFactory(email="A@Example.org")  # the address matches whatever its case
    services.accept_invitation(invitation=invitation, user=first)
    assert services.accept_invitation(invitation=invitation, user=first).user == first  # repeat click is harmless
    second = UserFactory(email="a@example.org")  # even an account with the same address cannot use it again
    refused = refusal(invitation, second)
    assert refused.code == "used" and "already been used" in refused.message


def test_an_invitation_is_refused_to_an_account_with_another_e_mail_address():
    invitation = invitation_for("sam@example.org")
    refused = refusal(invitation, UserFactory(email="mallory@example.org"))
    assert refused.code == "wrong_email"
    assert "sent to s***@example.org" in refused.message and "mallory@example.org" in refused.message
    assert refusal(invitation, UserFactory(email="")).code == "wrong_email"
    invitation.refresh_from_db()
    assert invitation.accepted_at is None, "a refused attempt does not use the invitation up"
    assert services.accept_invitation(invitation=invitation, user=UserFactory(email="sam@example.org"))


def test_an_expired_invitation_is_refused(settings):
    settings.INVITATION_EXPIRY_DAYS = 14
    invitation = invitation_for("sam@example.org")
    sam = UserFactory(email="sam@example.org")
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=14, seconds=1)
    )
    invitation.refresh_from_db()
    refused = refusal(invitation, sam)
    assert refused.code == "expired" and "expired on" in refused.message
    settings.INVITATION_EXPIRY_DAYS = 15  # the setting is read when the link is used
    assert services.accept_invitation(invitation=invitation, user=sam).group == invitation.group


def test_a_revoked_invitation_is_refused_and_an_accepted_one_cannot_be_revoked():
    invitation = invitation_for("sam@example.org")
    manager = invitation.invited_by
    assert services.revoke_invitation(invitation=invitation, revoked_by=manager)
    invitation.refresh_from_db()
    assert invitation.revoked_by == manager and invitation.revoked_at is not None
    refused = refusal(invitation, UserFactory(email="sam@example.org"))
    assert refused.code == "revoked" and "withdrawn" in refused.message

    accepted = invitation_for("kim@example.org")
    services.accept_invitation(invitation=accepted, user=UserFactory(email="kim@example.org"))
    assert not services.revoke_invitation(invitation=accepted, revoked_by=manager)
    accepted.refresh_from_db()
    assert accepted.revoked_at is None


def enrolled_courses(user):
    return set(Enrolment.objects.filter(user=user).values_list("course__title", flat=True))


def test_joining_a_group_enrols_the_learner_in_its_assigned_courses():
    group = GroupFactory()
    first, _ = course_with_lessons(title="AI basics")
    second, _ = course_with_lessons(title="Prompting")
    assign(group, first)
    assign(group, second)
    learner = UserFactory()
    services.join_by_code(user=learner, code=group.join_code)
    assert enrolled_courses(learner) == {"AI basics", "Prompting"}

    invited = UserFactory(email="new@example.org")
    services.accept_invitation(invitation=invitation_for("new@example.org", group), user=invited)
    assert enrolled_courses(invited) == {"AI basics", "Prompting"}

    staff = UserFactory(email="t@example.org")
    services.accept_invitation(invitation=invitation_for("t@example.org", group, Role.TEACHER), user=staff)
    assert enrolled_courses(staff) == set(), "teachers and managers are not enrolled"


def test_assigning_enrols_the_group_s_learners_and_re_assigning_changes_the_due_date_instead_of_duplicating():
    group = GroupFactory()
    learner = member(group)
    teacher = member(group, Role.TEACHER)
    page, _ = course_with_lessons()
    services.assign_course(group=group, course=page, due_date=datetime.date(2030, 1, 1), assigned_by=teacher)
    services.assign_course(group=group, course=page, due_date=datetime.date(2030, 2, 1), assigned_by=teacher)
    assignment = Assignment.objects.get(group=group)
    assert assignment.due_date == datetime.date(2030, 2, 1)
    assert enrolled_courses(learner) == {"AI basics"} and enrolled_courses(teacher) == set()


def test_assigning_a_translation_of_an_assigned_course_switches_the_assignment():
    group = GroupFactory()
    english = course("AI basics")
    estonian = translate(english, "et", title="TI alused")
    services.assign_course(group=group, course=english, due_date=None, assigned_by=None)
    services.assign_course(group=group, course=estonian, due_date=datetime.date(2030, 1, 1), assigned_by=None)
    (assignment,) = Assignment.objects.filter(group=group)
    assert (assignment.course.pk, assignment.due_date) == (estonian.pk, datetime.date(2030, 1, 1))


def test_a_course_unpublished_since_it_was_assigned_is_skipped_when_joining():
    group = GroupFactory()
    page, _ = course_with_lessons()
    assign(group, page)
    page.unpublish()
    learner = UserFactory()
    membership, created = services.join_by_code(user=learner, code=group.join_code)
    assert created and enrolled_courses(learner) == set()
