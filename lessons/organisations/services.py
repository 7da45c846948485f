"""Writes for classes and teams: create a group, join by code, manage the code, invite, accept, assign.

Assigning a course does not enrol anyone: learners see the assignment and its due date on their
dashboard, and the ordinary enrolment happens when they start the course. That keeps "assigned"
and "started" apart in the reports, which is what a teacher or an auditor wants to see.
"""

import logging

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from lessons.models import Assignment, Group, Invitation, Membership
from lessons.models.organisations import new_join_code

from .exceptions import InvitationNotSent, InvitationUsed, JoinCodeRefused

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
def create_group(*, organisation, name, created_by):
    """Create a class/team; its creator becomes its teacher/manager."""
    group = Group.objects.create(organisation=organisation, name=name.strip(), created_by=created_by)
    Membership.objects.create(user=created_by, organisation=organisation, group=group, role=Membership.Role.TEACHER)
    return group


def add_member(*, user, group, role=Membership.Role.LEARNER):
    """Put ``user`` in ``group``; returns (membership, created). An existing membership is kept as it is."""
    try:
        with transaction.atomic():
            membership, created = Membership.objects.get_or_create(
                user=user, group=group, defaults={"organisation": group.organisation, "role": role}
            )
    except IntegrityError:  # a concurrent join of the same user won the race
        membership, created = Membership.objects.get(user=user, group=group), False
    return membership, created


def join_by_code(*, user, code):
    """Join the group whose current, enabled join code this is; JoinCodeRefused with a clear message otherwise."""
    group = Group.objects.select_related("organisation").filter(join_code=normalise_code(code)).first()
    if group is None:
        raise JoinCodeRefused(str(WRONG_CODE), code="wrong_code")
    if not group.join_code_enabled:
        raise JoinCodeRefused(str(CODE_DISABLED), code="code_disabled")
    return add_member(user=user, group=group)


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
    inviter = invited_by.get_full_name() or invited_by.get_username()
    names = {"inviter": inviter, "group": group.name, "organisation": group.organisation.name}
    # Translators: the invitation e-mail (plain text); keep %(url)s on a line of its own so it stays clickable.
    message = gettext(
        "%(inviter)s invites you to join %(group)s at %(organisation)s on the AI Literacy platform.\n\n"
        "Open this link, then log in or sign up, to accept:\n%(url)s\n\n"
        "If you did not expect this e-mail you can ignore it."
    ) % {**names, "url": accept_url}
    subject = gettext("Join %(group)s on AI Literacy") % names
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


@transaction.atomic
def accept_invitation(*, invitation, user):
    """Join the invitation's group with its role. An invitation works once; InvitationUsed if used."""
    invitation = Invitation.objects.select_for_update().select_related("group__organisation").get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        if invitation.accepted_by_id == user.pk:
            return Membership.objects.get(user=user, group=invitation.group)
        raise InvitationUsed(gettext("This invitation has already been used. Ask for a new one."), code="used")
    membership, _ = add_member(user=user, group=invitation.group, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def assign_course(*, group, course, due_date, assigned_by):
    """Assign (or re-date) a course for a group."""
    assignment, _ = Assignment.objects.update_or_create(
        group=group, course=course, defaults={"due_date": due_date, "assigned_by": assigned_by}
    )
    return assignment
