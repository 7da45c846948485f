"""The words for groups and their members: a class of learners in a school, a team of staff in a business.

``wording_for(organisation)`` (or ``wording_for_user(user)`` where a page spans organisations)
picks one ``Wording``; pages, navigation, forms, e-mails and CSV columns take their nouns from it
and never build a phrase from parts. Every phrase is a whole msgid of its own, because languages
decline the noun differently in each sentence. The school phrases keep the msgids they had before
businesses had their own words, so their translations still apply. Someone in both kinds of
organisation (or in none yet) reads the neutral "classes and teams".

Plural phrases are ``ngettext_lazy`` with a named number: fill them with ``phrase % values``, or
``{% say words.phrase count=... %}`` in a template (``org_tags``).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy

from lessons.models import Membership, Organisation

Role = Membership.Role
MIXED = "mixed"


@dataclass(frozen=True)
class Wording:
    kind: str
    my_groups: str
    join_group: str
    join_with_code: str
    groups: str
    groups_you_run: str
    groups_you_learn_in: str
    not_a_member_yet: str
    create_group: str
    no_groups_yet: str
    group_name_label: str
    group_name_help: str
    group_column: str
    member_column: str
    members_column: str
    assigned_members_column: str
    csv_group: str
    csv_member: str
    join_instructions: str  # HTML with %(join_url)s and %(code)s
    member_count: str  # plural on "count"
    completed_by: str  # plural on "total", with %(completed)s and %(rate)s
    record_definitions: str  # under the training record
    invitation_subject: str
    invitation_body: str
    learner_role: str
    teacher_role: str

    @property
    def is_business(self):
        return self.kind == Organisation.Kind.BUSINESS

    def role_name(self, role):
        """A membership role in this wording (an admin is an organisation admin everywhere)."""
        return {Role.LEARNER: self.learner_role, Role.TEACHER: self.teacher_role}.get(role) or Role(role).label


SCHOOL = Wording(
    kind=Organisation.Kind.SCHOOL,
    my_groups=_("My classes"),
    join_group=_("Join a class"),
    join_with_code=_("Join a class with a code"),
    groups=_("Classes"),
    groups_you_run=_("Classes you teach"),
    groups_you_learn_in=_("Classes you learn in"),
    not_a_member_yet=_("You are not in a class as a learner yet."),
    create_group=_("Create a class"),
    no_groups_yet=_("No classes yet."),
    group_name_label=_("Name of the class"),
    group_name_help=_("For example “Class 9B”."),
    group_column=pgettext_lazy("column", "Class"),
    member_column=_("Learner"),
    members_column=_("Learners"),
    assigned_members_column=_("Assigned learners"),
    csv_group=pgettext_lazy("CSV column", "group"),
    csv_member=pgettext_lazy("CSV column", "learner"),
    # Translators: keep the two <strong> elements and their attributes as they are; the second shows the code.
    join_instructions=_(
        'Learners join at <strong class="org-url">%(join_url)s</strong> with the code '
        '<strong class="org-code" data-testid="join-code">%(code)s</strong>'
    ),
    member_count=ngettext_lazy("%(count)s learner.", "%(count)s learners.", "count"),
    completed_by=ngettext_lazy(
        "Completed by %(completed)s of %(total)s learner (%(rate)s%%).",
        "Completed by %(completed)s of %(total)s learners (%(rate)s%%).",
        "total",
    ),
    record_definitions=_(
        "Completed = every lesson of the course read and its quiz passed. Best quiz score = mean of the "
        "learner's best attempt on each quiz they took in the course."
    ),
    invitation_subject=_("Join %(group)s on AI Literacy"),
    # Translators: the invitation e-mail (plain text); keep %(url)s on a line of its own so it stays clickable.
    invitation_body=_(
        "%(inviter)s invites you to join %(group)s at %(organisation)s on the AI Literacy platform.\n\n"
        "Open this link, then log in or sign up, to accept:\n%(url)s\n\n"
        "If you did not expect this e-mail you can ignore it."
    ),
    learner_role=_("Learner"),
    teacher_role=_("Teacher / manager"),
)

BUSINESS = Wording(
    kind=Organisation.Kind.BUSINESS,
    my_groups=_("My teams"),
    join_group=_("Join a team"),
    join_with_code=_("Join a team with a code"),
    groups=_("Teams"),
    groups_you_run=_("Teams you manage"),
    groups_you_learn_in=_("Teams you train with"),
    not_a_member_yet=_("You are not training with a team yet."),
    create_group=_("Create a team"),
    no_groups_yet=_("No teams yet."),
    group_name_label=_("Name of the team"),
    group_name_help=_("For example “Customer Service Team”."),
    group_column=pgettext_lazy("column", "Team"),
    member_column=_("Staff member"),
    members_column=pgettext_lazy("column: people in a team", "Staff"),
    assigned_members_column=_("Assigned staff"),
    csv_group=pgettext_lazy("CSV column", "team"),
    csv_member=pgettext_lazy("CSV column", "staff member"),
    # Translators: keep the two <strong> elements and their attributes as they are; the second shows the code.
    join_instructions=_(
        'Staff join at <strong class="org-url">%(join_url)s</strong> with the code '
        '<strong class="org-code" data-testid="join-code">%(code)s</strong>'
    ),
    member_count=ngettext_lazy("%(count)s staff member.", "%(count)s staff members.", "count"),
    completed_by=ngettext_lazy(
        "Completed by %(completed)s of %(total)s staff member (%(rate)s%%).",
        "Completed by %(completed)s of %(total)s staff members (%(rate)s%%).",
        "total",
    ),
    record_definitions=_(
        "Completed = every lesson of the course read and its quiz passed. Best quiz score = mean of the "
        "staff member's best attempt on each quiz they took in the course."
    ),
    invitation_subject=_("Join the team %(group)s on AI Literacy"),
    # Translators: the invitation e-mail (plain text); keep %(url)s on a line of its own so it stays clickable.
    invitation_body=_(
        "%(inviter)s invites you to join the team %(group)s at %(organisation)s for staff training on the "
        "AI Literacy platform.\n\n"
        "Open this link, then log in or sign up, to accept:\n%(url)s\n\n"
        "If you did not expect this e-mail you can ignore it."
    ),
    learner_role=_("Staff member"),
    teacher_role=_("Manager"),
)

NEUTRAL = Wording(
    kind=MIXED,
    my_groups=_("My classes and teams"),
    join_group=_("Join a class or team"),
    join_with_code=_("Join a class or team with a code"),
    groups=_("Classes and teams"),
    groups_you_run=_("Classes and teams you run"),
    groups_you_learn_in=_("Classes and teams you learn in"),
    not_a_member_yet=_("You are not in a class or team as a learner yet."),
    create_group=_("Create a class or team"),
    no_groups_yet=_("No classes or teams yet."),
    group_name_label=_("Name of the class or team"),
    group_name_help=_("For example “Class 9B” or “Customer Service Team”."),
    group_column=_("Class or team"),
    member_column=_("Learner"),
    members_column=_("Learners"),
    assigned_members_column=_("Assigned learners"),
    csv_group=pgettext_lazy("CSV column", "group"),
    csv_member=pgettext_lazy("CSV column", "learner"),
    join_instructions=SCHOOL.join_instructions,
    member_count=SCHOOL.member_count,
    completed_by=SCHOOL.completed_by,
    record_definitions=SCHOOL.record_definitions,
    invitation_subject=SCHOOL.invitation_subject,
    invitation_body=SCHOOL.invitation_body,
    learner_role=_("Learner"),
    teacher_role=_("Teacher / manager"),
)

BY_KIND = {Organisation.Kind.SCHOOL: SCHOOL, Organisation.Kind.BUSINESS: BUSINESS}


def wording_for_kinds(kinds) -> Wording:
    """The wording of the one kind given; the neutral one for none or both."""
    kinds = set(kinds)
    return BY_KIND[kinds.pop()] if len(kinds) == 1 else NEUTRAL


def wording_for(organisation) -> Wording:
    return BY_KIND.get(organisation.kind, NEUTRAL)


def wording_for_user(user) -> Wording:
    """By the kinds of organisation the user belongs to (navigation, the org home page)."""
    if not user.is_authenticated:
        return NEUTRAL
    return wording_for_kinds(user.memberships.values_list("organisation__kind", flat=True).distinct())
