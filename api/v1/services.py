"""Roster writes of the API, through the organisation services the site's own pages use.

Adding a member by e-mail puts an account in the group directly only when it already belongs to
the organisation (a learner moving classes, say). Anyone else gets the ordinary e-mailed invitation
and joins when they accept it: otherwise an organisation could add any account it knows the
address of, and read its progress, without that person ever agreeing.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from api.v1.errors import ApiError, invalid
from lessons.models import CoursePage
from lessons.organisations import services
from lessons.organisations.exceptions import InvitationNotSent
from lessons.organisations.selectors import open_invitations


@dataclass(frozen=True)
class Placement:
    """What adding a member did: ``added`` (a new membership), ``kept`` (already in the group) or ``invited``."""

    outcome: str
    membership: object = None
    invitation: object = None


def place_member(*, group, email, role, site_url):
    email = email.strip().lower()
    accounts = list(
        get_user_model()
        .objects.filter(email__iexact=email, memberships__organisation=group.organisation)
        .distinct()[:2]
    )
    if len(accounts) > 1:
        raise ApiError(
            409,
            "conflict",
            _("Several accounts in your organisation have this e-mail address; add the person on the site instead."),
        )
    if accounts:
        membership, created = services.add_member(user=accounts[0], group=group, role=role)
        return Placement("added" if created else "kept", membership=membership)
    waiting = open_invitations(group).filter(email=email).first()
    if waiting is not None and not waiting.is_expired:
        return Placement("invited", invitation=waiting)
    try:
        invitation = services.invite(group=group, email=email, role=role, invited_by=None, site_url=site_url)
    except InvitationNotSent as error:
        raise ApiError(503, "unavailable", error.message) from error
    return Placement("invited", invitation=invitation)


def remove_member(*, group, email):
    """Take whoever has this address out of the group and withdraw their open invitations; False if neither."""
    removed = False
    for membership in group.memberships.filter(user__email__iexact=email.strip()).select_related("user"):
        removed |= services.remove_member(user=membership.user, group=group)
    for invitation in open_invitations(group).filter(email__iexact=email.strip()):
        removed |= services.revoke_invitation(invitation=invitation, revoked_by=None)
    return removed


def assign(*, group, course_id, due_date):
    """Assign a live course (by id, in any language) to the group; returns (assignment, created)."""
    course = CoursePage.objects.live().filter(pk=course_id).first()
    if course is None:
        raise invalid(["body", "course_id"], _("There is no live course with this id."), "not_found")
    if due_date and due_date < timezone.localdate():
        raise invalid(["body", "due_date"], _("The due date has already passed."), "past")
    existed = group.assignments.filter(course__translation_key=course.translation_key).exists()
    return services.assign_course(group=group, course=course, due_date=due_date, assigned_by=None), not existed
