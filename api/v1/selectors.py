"""Reads of the API: the public catalogue and certificates, and the calling organisation's groups and records.

Everything of an organisation is reached from the token's organisation, never from an id alone:
another organisation's group or assignment is a 404, as if it did not exist. Members' progress
and the training record use the definitions of ``lessons.organisations.reports`` (the same
numbers as the organisation's pages and CSV exports), over the courses assigned to their groups.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Max
from django.shortcuts import get_object_or_404
from django.utils import timezone

from lessons.models import Assignment, Certificate, CoursePage, LessonProgress, Membership, QuizAttempt
from lessons.organisations.personal_data import anonymised_training_records
from lessons.organisations.reports import training_record_rows

# Catalogue


def public_courses(*, locale=None, updated_since=None):
    """Live courses anyone may open (no view restriction), oldest publication first."""
    courses = (
        CoursePage.objects.live()
        .public()
        .select_related("locale")
        .prefetch_related("competences", "tagged_items__tag")
        .order_by("last_published_at", "pk")
    )
    if locale:
        courses = courses.filter(locale__language_code=locale)
    if updated_since:
        courses = courses.filter(last_published_at__gte=updated_since)
    return courses


def get_public_course_or_404(course_id):
    return get_object_or_404(public_courses(), pk=course_id)


def course_lessons(course):
    """The course's live, public lessons in course order, each with its ``position`` (1, 2, …)."""
    lessons = list(course.lessons().public().select_related("locale"))
    for position, lesson in enumerate(lessons, start=1):
        lesson.position = position
    return lessons


def get_certificate_or_404(code):
    """What the public verification page shows of a certificate, and nothing more."""
    return get_object_or_404(
        Certificate.objects.only("code", "learner_name", "course_title", "language", "issued_at", "revoked_at"),
        code=code,
    )


# The organisation's groups


def organisation_groups(organisation, *, updated_since=None):
    groups = organisation.groups.order_by("updated_at", "pk")
    return groups.filter(updated_at__gte=updated_since) if updated_since else groups


def get_group_or_404(organisation, group_id):
    return get_object_or_404(organisation.groups, pk=group_id)


def group_members(group, *, updated_since=None):
    members = Membership.objects.filter(group=group).select_related("user").order_by("updated_at", "pk")
    return members.filter(updated_at__gte=updated_since) if updated_since else members


def group_assignments(group, *, updated_since=None):
    assignments = group.assignments.select_related("course__locale").order_by("updated_at", "pk")
    return assignments.filter(updated_at__gte=updated_since) if updated_since else assignments


def get_assignment_or_404(group, assignment_id):
    return get_object_or_404(group.assignments.select_related("course__locale"), pk=assignment_id)


# Records


@dataclass(frozen=True)
class ProgressRow:
    member: object
    group: object
    course: object
    assignment_id: int
    due_date: date | None
    lessons_done: int
    lessons_total: int
    started: bool
    completed_at: datetime | None
    overdue: bool
    best_quiz_score: int | None
    certificate_code: str
    updated_at: datetime


def progress_rows(organisation, *, group=None, updated_since=None, completed=None):
    """Each learner × course assigned to their group (in ``group`` only, if given), as the training record counts them.

    ``updated_since`` keeps the rows whose membership, assignment, lesson visits, completions or quiz
    attempts changed since then; ``completed`` keeps only completed (True) or unfinished (False) ones.
    """
    records = [record for record in training_record_rows(organisation) if group is None or record.group == group]
    assignments = {
        (assignment.group_id, assignment.course_id): assignment
        for assignment in Assignment.objects.filter(group__organisation=organisation)
    }
    memberships = {
        (user_id, group_id): updated_at
        for user_id, group_id, updated_at in Membership.objects.filter(
            organisation=organisation, group__isnull=False
        ).values_list("user_id", "group_id", "updated_at")
    }
    activity = latest_activity(records)
    rows = []
    for record in records:
        assignment = assignments[(record.group.pk, record.course.pk)]
        changes = [
            assignment.updated_at,
            memberships.get((record.learner.pk, record.group.pk)),
            activity.get((record.learner.pk, record.course.translation_key)),
        ]
        updated_at = max(change for change in changes if change)
        if updated_since and updated_at < updated_since:
            continue
        if completed is not None and bool(record.completed_at) != completed:
            continue
        rows.append(
            ProgressRow(
                member=record.learner,
                group=record.group,
                course=record.course,
                assignment_id=assignment.pk,
                due_date=record.due_date,
                lessons_done=record.status.done,
                lessons_total=record.status.total,
                started=record.status.started,
                completed_at=record.completed_at,
                overdue=record.status.overdue,
                best_quiz_score=record.best_quiz_score,
                certificate_code=record.certificate_code,
                updated_at=updated_at,
            )
        )
    return rows


def latest_activity(records):
    """{(user id, course translation key): the learner's latest visit, completion or quiz attempt in the course}.

    Like the reports, a lesson counts in whichever translation the learner took it.
    """
    users = {record.learner.pk for record in records}
    course_of_lesson = {}
    for course in {record.course.pk: record.course for record in records}.values():
        for lesson_key in course.lessons().values_list("translation_key", flat=True):
            course_of_lesson[lesson_key] = course.translation_key
    latest = {}

    def note(user_id, lesson_key, *times):
        key = (user_id, course_of_lesson[lesson_key])
        latest[key] = max(time for time in (*times, latest.get(key)) if time)

    in_courses = {"user_id__in": users, "lesson__translation_key__in": course_of_lesson}
    for row in (
        LessonProgress.objects.filter(**in_courses)
        .values("user_id", "lesson__translation_key")
        .annotate(read=Max("first_read_at"), visited=Max("last_visited_at"), done=Max("completed_at"))
    ):
        note(row["user_id"], row["lesson__translation_key"], row["read"], row["visited"], row["done"])
    for row in (
        QuizAttempt.objects.filter(**in_courses)
        .values("user_id", "lesson__translation_key")
        .annotate(submitted=Max("submitted_at"))
    ):
        note(row["user_id"], row["lesson__translation_key"], row["submitted"])
    return latest


@dataclass(frozen=True)
class TrainingRecordEntry:
    member: object | None
    group: object | None
    course: object | None
    course_title: str
    assigned_on: date | None
    due_date: date | None
    completed_on: date | None
    best_quiz_score: int | None
    certificate_code: str
    language: str
    anonymised: bool


def training_record(organisation):
    """The organisation's training record: the named rows, then those of deleted accounts (no names)."""

    def day(moment):
        return timezone.localdate(moment) if moment else None

    named = [
        TrainingRecordEntry(
            member=row.learner,
            group=row.group,
            course=row.course,
            course_title=row.course.title,
            assigned_on=day(row.assigned_at),
            due_date=row.due_date,
            completed_on=day(row.completed_at),
            best_quiz_score=row.best_quiz_score,
            certificate_code=row.certificate_code,
            language=row.language,
            anonymised=False,
        )
        for row in training_record_rows(organisation)
    ]
    anonymised = [
        TrainingRecordEntry(
            member=None,
            group=None,
            course=record.course,
            course_title=record.course_title,
            assigned_on=record.assigned_on,
            due_date=record.due_date,
            completed_on=record.completed_on,
            best_quiz_score=record.best_quiz_score,
            certificate_code="",
            language=record.language,
            anonymised=True,
        )
        for record in anonymised_training_records(organisation).select_related("course__locale")
    ]
    return named + anonymised
