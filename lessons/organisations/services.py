"""Writes for classes and teams: create a group, join by code, manage the code, invite, accept, revoke, assign.

A learner in a group is enrolled in every course assigned to it: when they join (by code or
invitation) and when a course is assigned to a group they are already in. Otherwise the dashboard
would say "You are not enrolled in a course yet" right above "Assigned to you". Enrolled is not
started: the reports say "not started" until the learner opens a lesson (``reports.CourseStatus``).

An invitation is bound to the address it was e-mailed to: only an account with that e-mail
(ignoring case) may accept it. Following the link while signing up with that address counts as
proving it, since only its owner received the link.
"""

import logging

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from cms.languages import save_preferred_language
from lessons.learning.exceptions import NotEnrollable
from lessons.learning.services import enrol
from lessons.models import Assignment, Group, Invitation, Membership
from lessons.models.organisations import new_join_code
from lessons.templatetags.lesson_dates import local_date

from .exceptions import InvitationNotSent, InvitationRefused, JoinCodeRefused
from .selectors import group_learners
from .wording import wording_for

logger = logging.getLogger(__name__)

WRONG_CODE = gettext_lazy(
    "That code does not match any class or team. Codes change when a teacher renews them, "
    "so check the current code with your teacher or manager."
)
CODE_DISABLED = gettext_lazy(
    "This class or team is not accepting new members by code right now. "
    "Ask your teacher or manager for an invitation or to switch the code back on."
)


def normalise_code(code):
    """Codes are read aloud and typed by hand: ignore case, spaces and dashes."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


@transaction.atomic
def create_group(*, organisation, name, created_by=None):
    """Create a class/team; its creator, if a person (not a syncing system), becomes its teacher/manager."""
    group = Group.objects.create(organisation=organisation, name=name.strip(), created_by=created_by)
    if created_by is not None:
        Membership.objects.create(user=created_by, organisation=organisation, group=group, role=Membership.Role.TEACHER)
    return group


def rename_group(group, name):
    group.name = name.strip()
    group.save(update_fields=["name", "updated_at"])
    return group


def delete_group(group):
    """Delete a class/team with its memberships, invitations and assignments; learners keep their own records."""
    group.delete()


def add_member(*, user, group, role=Membership.Role.LEARNER):
    """Put ``user`` in ``group``; returns (membership, created). An existing membership is kept as it is.

    A new learner is enrolled in the courses already assigned to the group.
    """
    try:
        with transaction.atomic():
            membership, created = Membership.objects.get_or_create(
                user=user, group=group, defaults={"organisation": group.organisation, "role": role}
            )
    except IntegrityError:  # a concurrent join of the same user won the race
        membership, created = Membership.objects.get(user=user, group=group), False
    if created and membership.role == Membership.Role.LEARNER:
        enrol_in_assignments(learners=[user], assignments=group.assignments.select_related("course"))
    return membership, created


def remove_member(*, user, group):
    """Take ``user`` out of ``group``; their enrolments and progress stay theirs. Returns whether they were in it."""
    deleted, _ = Membership.objects.filter(user=user, group=group).delete()
    return bool(deleted)


def enrol_in_assignments(*, learners, assignments):
    """Enrol each learner in each assigned course (the learning app's ordinary, idempotent enrolment).

    A course unpublished since it was assigned cannot take enrolments; it is skipped, and the
    learner is enrolled should it be assigned again once it is live.
    """
    for assignment in assignments:
        for learner in learners:
            try:
                enrol(user=learner, course=assignment.course)
            except NotEnrollable:
                break


def group_for_code(code):
    """The group whose current, enabled join code this is; JoinCodeRefused with a clear message otherwise."""
    group = Group.objects.select_related("organisation").filter(join_code=normalise_code(code)).first()
    if group is None:
        raise JoinCodeRefused(str(WRONG_CODE), code="wrong_code")
    if not group.join_code_enabled:
        raise JoinCodeRefused(str(CODE_DISABLED), code="code_disabled")
    return group


def join_by_code(*, user, code):
    """Join the group whose current, enabled join code this is; JoinCodeRefused with a clear message otherwise."""
    return add_member(user=user, group=group_for_code(code))


def rotate_join_code(group):
    """Give the group a fresh code; the old one stops working at once."""
    group.join_code = new_join_code()
    group.save(update_fields=["join_code"])
    return group.join_code


def set_join_code_enabled(group, enabled):
    group.join_code_enabled = enabled
    group.save(update_fields=["join_code_enabled"])


def invite(*, group, email, role, invited_by, site_url):
    """Record an invitation and e-mail its accept link.

    If the mail server refuses, the invitation is removed again and InvitationNotSent says so:
    the teacher must not believe someone was invited when no e-mail left.
    """
    invitation = Invitation.objects.create(group=group, email=email.strip().lower(), role=role, invited_by=invited_by)
    accept_url = site_url.rstrip("/") + reverse("lessons:org:invitation", args=[invitation.token])
    # Without a person (a school information system syncing its roster) the organisation invites.
    inviter = (invited_by.get_full_name() or invited_by.get_username()) if invited_by else group.organisation.name
    names = {"inviter": inviter, "group": group.name, "organisation": group.organisation.name}
    words = wording_for(group.organisation)
    validity = gettext(
        "The link works once, until %(date)s, and only for an account with the e-mail address %(email)s."
    ) % {"date": local_date(invitation.expires_at, "datetime"), "email": invitation.email}
    message = "\n\n".join([words.invitation_body % {**names, "url": accept_url}, validity])
    subject = words.invitation_subject % names
    try:
        send_mail(subject, message, None, [invitation.email])
    except OSError as error:  # smtplib's errors and refused connections are all OSErrors
        logger.warning("Invitation e-mail to %s failed: %s", invitation.email, error)
        invitation.delete()
        raise InvitationNotSent(
            gettext(
                "The invitation e-mail could not be sent just now, so nobody was invited. Try again in a few minutes."
            ),
            code="mail_failed",
        ) from error
    return invitation


def mask_email(email):
    """``s***@example.org``: enough for its owner to recognise, little for someone who found the link."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def check_invitation(invitation, user=None):
    """Raise InvitationRefused (with the reason the person reads) unless ``user`` may accept it now.

    Without a user only what holds for everyone is checked (used, revoked, expired), so the page can
    say so before asking anyone to log in. Accepting twice with the account that accepted is allowed.
    """
    if invitation.accepted_at is not None:
        if user is not None and invitation.accepted_by_id == user.pk:
            return
        raise InvitationRefused(gettext("This invitation has already been used. Ask for a new one."), code="used")
    if invitation.revoked_at is not None:
        raise InvitationRefused(
            gettext("This invitation has been withdrawn. Ask whoever invited you for a new one."), code="revoked"
        )
    if invitation.is_expired:
        raise InvitationRefused(
            gettext("This invitation expired on %(date)s. Ask whoever invited you for a new one.")
            % {"date": local_date(invitation.expires_at, "datetime")},
            code="expired",
        )
    if user is not None and (user.email or "").strip().lower() != invitation.email.lower():
        raise InvitationRefused(
            gettext(
                "This invitation was sent to %(invited)s and works only for an account with that e-mail "
                "address. You are logged in with %(yours)s. Log out, then log in or sign up with %(invited)s."
            )
            % {"invited": mask_email(invitation.email), "yours": user.email or gettext("no e-mail address")},
            code="wrong_email",
        )


@transaction.atomic
def accept_invitation(*, invitation, user):
    """Join the invitation's group with its role, once, for the account with the invited e-mail address."""
    invitation = Invitation.objects.select_for_update().select_related("group__organisation").get(pk=invitation.pk)
    check_invitation(invitation, user)
    if invitation.accepted_at is not None:  # the same person clicking again
        return Membership.objects.get(user=user, group=invitation.group)
    membership, _ = add_member(user=user, group=invitation.group, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def accept_invitation_with_new_account(*, invitation, signup_form, language):
    """Create the account of a valid InvitationSignupForm and accept with it: both, or neither."""
    user = signup_form.save()
    save_preferred_language(user, language)
    return accept_invitation(invitation=invitation, user=user)


def revoke_invitation(*, invitation, revoked_by):
    """Withdraw an invitation that has not been accepted; its link stops working at once."""
    updated = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=revoked_by
    )
    return bool(updated)


@transaction.atomic
def assign_course(*, group, course, due_date, assigned_by):
    """Assign (or re-date) a course for a group, and enrol the group's learners in it.

    A group has one assignment per course whatever its language: assigning a translation of a
    course already assigned switches that assignment to the translation, so the group page, the
    team table and "Completion by course" count the same courses.
    """
    assignment = Assignment.objects.filter(group=group, course__translation_key=course.translation_key).first()
    if assignment is None:
        assignment = Assignment(group=group)
    assignment.course, assignment.due_date, assignment.assigned_by = course, due_date, assigned_by
    assignment.save()
    enrol_in_assignments(learners=group_learners(group), assignments=[assignment])
    return assignment


def unassign_course(assignment):
    """Withdraw an assignment; learners keep their enrolment and progress in the course."""
    assignment.delete()
