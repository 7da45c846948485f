"""Organisations in a learner's data download, and the training record a business keeps after an account is deleted.

A business must be able to show that its staff were trained (EU AI Act art. 4; the training record
in ``reports``). When a learner deletes their account, their memberships go with it, so each
course they completed on a business's assignment is first copied into an
``AnonymisedTrainingRecord``: organisation, course, dates, best quiz score, and nothing that says
who (see that model). Schools keep nothing: no law asks them to, so a pupil's record goes entirely.
The training record page and CSV list these rows after the named ones.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from cms.accounts.personal_data import Section
from lessons.models import AnonymisedTrainingRecord, Assignment, Certificate, Invitation, Membership, Organisation
from lessons.organisations.reports import ProgressFacts


def membership_section(user) -> Section:
    memberships = Membership.objects.filter(user=user).select_related("organisation", "group").order_by("joined_at")
    return Section(
        "organisations",
        _("Schools and businesses"),
        [
            {
                "organisation": membership.organisation.name,
                "group": membership.group.name if membership.group else "",
                "role": membership.role,
                "role_name": membership.get_role_display(),
                "joined_at": membership.joined_at,
            }
            for membership in memberships
        ],
        columns=(
            ("organisation", gettext_lazy("Organisation")),
            ("group", gettext_lazy("Class or team")),
            ("role_name", gettext_lazy("Role")),
            ("joined_at", gettext_lazy("Joined")),
        ),
        description=_("Your teachers or managers there see your progress and quiz results in these classes and teams."),
    )


def keep_anonymised_training_records(user) -> list[AnonymisedTrainingRecord]:
    """One nameless row per business and course the learner completed on an assignment there.

    A course assigned to two of the learner's teams in one business gives one row, as it is one
    training. Runs before the certificates are revoked: the course language comes from them.
    """
    assignments = (
        Assignment.objects.filter(
            group__memberships__user=user,
            group__memberships__role=Membership.Role.LEARNER,
            group__organisation__kind=Organisation.Kind.BUSINESS,
        )
        .select_related("course", "group")
        .order_by("assigned_at", "pk")
    )
    records = {}
    for assignment in assignments:
        course = assignment.course
        key = (assignment.group.organisation_id, course.translation_key)
        if key in records:
            continue
        lessons = list(course.lessons())
        facts = ProgressFacts([user], lessons)
        completed_at = facts.course_completed_at(user, lessons)
        if completed_at is None:
            continue
        language = (
            Certificate.objects.filter(user=user, course__translation_key=course.translation_key)
            .values_list("language", flat=True)
            .first()
        )
        records[key] = AnonymisedTrainingRecord(
            organisation_id=assignment.group.organisation_id,
            course=course,
            course_title=course.title,
            language=language or "",
            assigned_on=timezone.localdate(assignment.assigned_at),
            due_date=assignment.due_date,
            completed_on=timezone.localdate(completed_at),
            best_quiz_score=facts.best_quiz_score(user, lessons),
        )
    return AnonymisedTrainingRecord.objects.bulk_create(records.values())


def delete_accepted_invitations(user) -> None:
    """An accepted invitation keeps the e-mail address it was sent to; the membership it made goes anyway."""
    Invitation.objects.filter(accepted_by=user).delete()


def anonymised_training_records(organisation):
    return AnonymisedTrainingRecord.objects.filter(organisation=organisation)


def anonymised_training_record_csv_row(record) -> list:
    """A row in the training record CSV's columns (``exports.training_record_csv_row``), without a name."""

    def iso(value):
        return value.isoformat() if value else ""

    return [
        pgettext("training record", "(deleted account)"),
        "",
        "",
        "",
        record.course_title,
        iso(record.assigned_on),
        iso(record.due_date),
        iso(record.completed_on),
        "" if record.best_quiz_score is None else record.best_quiz_score,
        "",
        record.language,
    ]
