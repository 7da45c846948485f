"""What the API sends and accepts. Field names are the contract: add fields, never rename or drop them in v1."""

import re
from datetime import UTC, date, datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Field, Query, Schema
from pydantic import AfterValidator, BeforeValidator, StringConstraints, WithJsonSchema
from wagtail.rich_text import expand_db_html

GroupRole = Literal["learner", "teacher"]
Role = Literal["learner", "teacher", "admin"]


RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


def rfc3339(value):
    """A date and time with its offset (RFC 3339, e.g. 2025-09-01T08:00:00Z), in UTC.

    Pydantic alone would also take "0.5" (seconds since 1970) or a time without an offset, which
    the schema's ``date-time`` does not allow and which a client surely did not mean.
    """
    if not isinstance(value, str) or not RFC3339.fullmatch(value.upper()):
        raise ValueError("expected a date and time with an offset, e.g. 2025-09-01T08:00:00Z")
    try:
        return datetime.fromisoformat(value.upper()).astimezone(UTC)
    except (ValueError, OverflowError) as error:
        raise ValueError(f"not a valid date and time: {error}") from error


AwareDatetime = Annotated[datetime, BeforeValidator(rfc3339)]


# The ``updated_since`` query parameter of the lists a client syncs.
UpdatedSince = Annotated[
    AwareDatetime | None,
    Query(None, description="Only what changed at or after this time (RFC 3339, e.g. 2025-09-01T08:00:00Z)."),
]


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


def email_address(value: str) -> str:
    """The site's own rule for addresses (Django's validator), so the API accepts what the sign-up form does."""
    try:
        validate_email(value)
    except DjangoValidationError as error:
        raise ValueError(error.messages[0]) from error
    return value


Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254),
    AfterValidator(email_address),
    WithJsonSchema({"type": "string", "format": "email", "maxLength": 254}),
]


# Catalogue


class Competence(Schema):
    key: str
    name: str


class PageOut(Schema):
    """What courses and lessons share: they are Wagtail pages, translated by locale."""

    id: int
    title: str
    slug: str
    locale: str = Field(description="The language of this version (et, ru, en).")
    translation_key: str = Field(description="The same for every translation of the page.")
    url: str

    @staticmethod
    def resolve_locale(page):
        return page.locale.language_code

    @staticmethod
    def resolve_translation_key(page):
        return str(page.translation_key)

    @staticmethod
    def resolve_url(page):
        return page.full_url or ""

    @staticmethod
    def resolve_updated_at(page):
        return page.last_published_at


class CourseOut(PageOut):
    audience: str
    level: str
    estimated_minutes: int
    intro_html: str
    learning_outcomes: list[str]
    competences: list[Competence]
    topics: list[str]
    lesson_count: int
    first_published_at: datetime | None
    updated_at: datetime | None = Field(description="When this version was last published.")

    @staticmethod
    def resolve_intro_html(course):
        return expand_db_html(course.intro)

    @staticmethod
    def resolve_learning_outcomes(course):
        return [str(block.value) for block in course.learning_outcomes]

    @staticmethod
    def resolve_competences(course):
        return list(course.competences.all())

    @staticmethod
    def resolve_topics(course):
        return [tag.name for tag in course.topics.all()]

    @staticmethod
    def resolve_lesson_count(course):
        return course.lessons().count()


class LessonOut(PageOut):
    position: int = Field(description="1 for the course's first lesson.")
    summary: str
    estimated_minutes: int
    updated_at: datetime | None = Field(description="When the lesson was last published.")


# Organisation, groups, members, assignments


class OrganisationOut(Schema):
    name: str
    slug: str
    kind: Literal["school", "business"]
    token_scope: Literal["read", "write"] = Field(description="What the token of this call may do.")


class GroupOut(Schema):
    id: int
    name: str
    created_at: datetime
    updated_at: datetime


class GroupIn(Schema):
    name: Name


class MemberOut(Schema):
    user_id: int
    username: str
    email: str
    first_name: str
    last_name: str
    role: Role
    joined_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_username(membership):
        return membership.user.get_username()

    @staticmethod
    def resolve_email(membership):
        return membership.user.email

    @staticmethod
    def resolve_first_name(membership):
        return membership.user.first_name

    @staticmethod
    def resolve_last_name(membership):
        return membership.user.last_name


class MemberIn(Schema):
    email: Email
    role: GroupRole = "learner"


class InvitationOut(Schema):
    email: str
    role: GroupRole
    created_at: datetime
    expires_at: datetime


class AssignmentOut(Schema):
    id: int
    course_id: int
    course_title: str
    course_locale: str
    due_date: date | None
    assigned_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_course_title(assignment):
        return assignment.course.title

    @staticmethod
    def resolve_course_locale(assignment):
        return assignment.course.locale.language_code


class AssignmentIn(Schema):
    course_id: int = Field(ge=1, le=2**63 - 1, description="A live course (see /courses); any of its translations.")
    due_date: date | None = Field(None, description="Today or later; empty for no due date.")


# Records


class MemberRef(Schema):
    user_id: int
    username: str
    email: str
    name: str

    @staticmethod
    def resolve_user_id(user):
        return user.pk

    @staticmethod
    def resolve_username(user):
        return user.get_username()

    @staticmethod
    def resolve_name(user):
        return user.get_full_name() or user.get_username()


class GroupRef(Schema):
    id: int
    name: str


class CourseRef(Schema):
    id: int
    title: str
    locale: str

    @staticmethod
    def resolve_locale(course):
        return course.locale.language_code


class ProgressOut(Schema):
    """One member on one course assigned to their group; the definitions are those of the training record."""

    member: MemberRef
    group: GroupRef
    course: CourseRef
    assignment_id: int
    due_date: date | None
    lessons_done: int
    lessons_total: int
    started: bool = Field(description="Has opened at least one lesson of the course.")
    completed_at: datetime | None = Field(description="When the last lesson was completed; empty until then.")
    overdue: bool
    best_quiz_score: int | None = Field(description="Mean of the best attempt at each quiz taken (percent).")
    certificate_code: str = Field(description="Verifiable at /api/v1/certificates/{code}; empty until issued.")
    updated_at: datetime = Field(description="The latest change: membership, assignment, lesson visit or quiz.")


class TrainingRecordOut(Schema):
    """A row of the training record (EU AI Act art. 4); rows of deleted accounts are anonymised."""

    member: MemberRef | None
    group: GroupRef | None
    course: CourseRef | None
    course_title: str
    assigned_on: date | None
    due_date: date | None
    completed_on: date | None
    best_quiz_score: int | None
    certificate_code: str
    language: str = Field(description="The language the course was taken in, once certified.")
    anonymised: bool = Field(description="The member deleted their account: nothing names them any more.")


class CertificateOut(Schema):
    code: str
    valid: bool = Field(description="False once revoked (the learner deleted their account).")
    learner_name: str
    course_title: str
    language: str
    issued_at: datetime
    revoked_at: datetime | None

    @staticmethod
    def resolve_valid(certificate):
        return certificate.revoked_at is None
