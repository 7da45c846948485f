"""Who hears about a member's progress: the organisations that assigned the course to a group the member learns in.

The same reach as an organisation's training record and reports: an organisation hears nothing
about courses it did not assign, nor about people it only employs as teachers or managers.
"""

from api.models import WebhookEndpoint
from lessons.models import Group, Membership


def listening_endpoints(member, course, event):
    """The active endpoints subscribed to ``event`` of organisations that assigned ``course`` (any translation) to
    a group ``member`` learns in, with the organisation."""
    return (
        WebhookEndpoint.objects.filter(
            is_active=True,
            events__contains=[event],
            organisation__in=_learning_groups(member, course).values("organisation_id"),
        )
        .select_related("organisation")
        .order_by("pk")
    )


def assigning_groups(member, course, organisation):
    """The groups of ``organisation`` where ``member`` learns and ``course`` (any translation) is assigned."""
    return _learning_groups(member, course).filter(organisation=organisation).distinct().order_by("name")


def _learning_groups(member, course):
    return Group.objects.filter(
        memberships__user=member,
        memberships__role=Membership.Role.LEARNER,
        assignments__course__translation_key=course.translation_key,
    )
