"""Who may read which learner's tutor conversations, inside one organisation, and the log of readings.

A *reader* is a teacher or an organisation admin. Inside an organisation a teacher oversees the
learners of the groups they teach; an admin oversees the learners of every group. Of an overseen
learner, a reader sees a conversation only when

* it was held under the reader's organisation (``Conversation.organisation``, fixed when the
  conversation starts by ``tutor.answering.conversations.organisation_id_for``): a learner in two
  organisations keeps each one's conversations from the other's teachers; and
* it started at or after the learner joined a group the reader oversees (``Membership.joined_at``):
  a teacher does not read what a learner asked before being in their class.

The same rule (``readable_conversations``) scopes safety flags and every count. Every lookup is
scoped to one organisation (taken from the URL). Anything outside the reader's reach is reported as
"not found" by the views (404), so the pages do not reveal who exists. Superusers and staff get no
special reach here: reading a learner's conversation takes a teacher or admin role in the organisation.
"""

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from lessons.models import Group, Membership, Organisation
from tutor.models import Conversation, ConversationAccess, SafetyFlag

READER_ROLES = (Membership.Role.TEACHER, Membership.Role.ADMIN)


def organisations_overseen_by(user):
    """Organisations where ``user`` is a teacher or admin, for the oversight start page and nav."""
    return Organisation.objects.filter(
        pk__in=Membership.objects.filter(user=user, role__in=READER_ROLES).values("organisation_id")
    )


def is_admin(user, organisation) -> bool:
    return Membership.objects.filter(user=user, organisation=organisation, role=Membership.Role.ADMIN).exists()


def get_overseen_organisation_or_404(user, slug, *, admin_only=False):
    """The organisation with ``slug`` if ``user`` reads there (as admin when ``admin_only``), else 404."""
    roles = (Membership.Role.ADMIN,) if admin_only else READER_ROLES
    return get_object_or_404(
        Organisation.objects.filter(
            pk__in=Membership.objects.filter(user=user, role__in=roles).values("organisation_id")
        ),
        slug=slug,
    )


def overseen_groups(reader, organisation):
    """Groups of ``organisation`` whose learners ``reader`` oversees."""
    groups = Group.objects.filter(organisation=organisation)
    if is_admin(reader, organisation):
        return groups
    return groups.filter(memberships__user=reader, memberships__role=Membership.Role.TEACHER).distinct()


def overseen_learners(reader, organisation):
    """Users who are learners in a group of ``organisation`` that ``reader`` oversees."""
    learner_memberships = Membership.objects.filter(
        role=Membership.Role.LEARNER, group__in=overseen_groups(reader, organisation)
    )
    return get_user_model().objects.filter(pk__in=learner_memberships.values("user_id"))


def readable_conversations(reader, organisation):
    """Conversations ``reader`` may read in ``organisation``: held there, started once the learner was overseen."""
    overseen_since = Membership.objects.filter(
        role=Membership.Role.LEARNER,
        group__in=overseen_groups(reader, organisation),
        user=OuterRef("user"),
        joined_at__lte=OuterRef("created_at"),
    )
    return Conversation.objects.filter(Exists(overseen_since), organisation=organisation)


def _count_per_learner(queryset, user_field):
    """How many rows of ``queryset`` belong to the outer row's user (0 for none), as a subquery."""
    per_user = queryset.filter(**{user_field: OuterRef("user_id")}).order_by().values(user_field)
    return Coalesce(Subquery(per_user.annotate(n=Count("pk")).values("n")), 0)


def learner_roster(reader, organisation):
    """Learner memberships in the overseen groups, counting the conversations and open flags ``reader`` may see."""
    readable = readable_conversations(reader, organisation)
    open_flags = SafetyFlag.objects.filter(message__conversation__in=readable, reviewed_at__isnull=True)
    return (
        Membership.objects.filter(role=Membership.Role.LEARNER, group__in=overseen_groups(reader, organisation))
        .select_related("user", "group")
        .annotate(
            conversation_count=_count_per_learner(readable, "user"),
            open_flag_count=_count_per_learner(open_flags, "message__conversation__user"),
        )
        .order_by("group__name", "user__last_name", "user__username")
    )


def get_overseen_learner_or_404(reader, organisation, learner_id):
    return get_object_or_404(overseen_learners(reader, organisation), pk=learner_id)


def conversations_of(reader, organisation, learner):
    """The conversations of ``learner`` that ``reader`` may read, with message and open-flag counts."""
    return (
        readable_conversations(reader, organisation)
        .filter(user=learner)
        .select_related("lesson")
        .annotate(
            message_count=Count("messages", distinct=True),
            open_flag_count=Count(
                "messages__safety_flags", filter=Q(messages__safety_flags__reviewed_at__isnull=True), distinct=True
            ),
        )
    )


def get_overseen_conversation_or_404(reader, organisation, conversation_id):
    return get_object_or_404(
        readable_conversations(reader, organisation).select_related("user", "lesson"), pk=conversation_id
    )


def flags_for_reader(reader, organisation, *, status="open"):
    """Safety flags in conversations ``reader`` may read; ``status`` is open, reviewed or all."""
    flags = SafetyFlag.objects.filter(
        message__conversation__in=readable_conversations(reader, organisation)
    ).select_related("message__conversation__user", "message__conversation__lesson", "reviewed_by")
    if status == "open":
        return flags.filter(reviewed_at__isnull=True)
    if status == "reviewed":
        return flags.filter(reviewed_at__isnull=False)
    return flags


def get_overseen_flag_or_404(reader, organisation, flag_id):
    return get_object_or_404(flags_for_reader(reader, organisation, status="all"), pk=flag_id)


def access_log(organisation):
    return ConversationAccess.objects.filter(organisation=organisation).select_related(
        "conversation__user", "conversation__lesson"
    )


def readings_of(learner):
    """Every reading of ``learner``'s conversations, for the learner's own "who read them" page."""
    return ConversationAccess.objects.filter(conversation__user=learner).select_related(
        "organisation", "conversation__lesson"
    )


def organisations_reading_learner(learner):
    """Organisations in which ``learner`` is in a group, i.e. whose teachers and admins can read them."""
    return Organisation.objects.filter(
        pk__in=Membership.objects.filter(user=learner, role=Membership.Role.LEARNER, group__isnull=False).values(
            "organisation_id"
        )
    )
