"""The learner's record in their data download, and what deleting their account does to it.

Enrolments, progress, quiz attempts and notes go with the account (their user foreign keys
cascade). Certificates stay, revoked and without the name: a code printed on paper then verifies
as "revoked" rather than "not found", and the page no longer says whose it was.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import Page

from cms.accounts.personal_data import Section
from lessons.models import Certificate, Enrolment, LessonProgress, QuizAttempt, ReflectionNote

LESSON_COLUMNS = (("course", gettext_lazy("Course")), ("lesson", gettext_lazy("Lesson")))


def course_titles(lessons):
    """Lesson id → the title of its course (its parent page), in one query."""
    parent_paths = {lesson.pk: lesson.path[: -Page.steplen] for lesson in lessons}
    titles = dict(Page.objects.filter(path__in=set(parent_paths.values())).values_list("path", "title"))
    return {pk: titles.get(path, "") for pk, path in parent_paths.items()}


def rows_with_lessons(records, fields):
    """One dict per record: its course and lesson titles, then ``fields(record)``."""
    records = list(records)
    courses = course_titles([record.lesson for record in records])
    return [
        {
            "course": courses[record.lesson_id],
            "lesson": record.lesson.title,
            "lesson_id": record.lesson_id,
            **fields(record),
        }
        for record in records
    ]


def learning_sections(user):
    """The learner's enrolments, lesson progress, quiz attempts, notes and certificates."""
    enrolments = Enrolment.objects.filter(user=user).select_related("course").order_by("enrolled_at")
    yield Section(
        "enrolments",
        _("Courses you enrolled in"),
        [
            {
                "course": enrolment.course.title,
                "course_id": enrolment.course_id,
                "enrolled_at": enrolment.enrolled_at,
                "completed_at": enrolment.completed_at,
            }
            for enrolment in enrolments
        ],
        columns=(
            ("course", gettext_lazy("Course")),
            ("enrolled_at", gettext_lazy("Enrolled")),
            ("completed_at", gettext_lazy("Completed")),
        ),
    )
    yield Section(
        "lesson_progress",
        _("Lesson progress"),
        rows_with_lessons(
            LessonProgress.objects.filter(user=user).select_related("lesson").order_by("first_read_at", "id"),
            lambda progress: {
                "first_read_at": progress.first_read_at,
                "last_visited_at": progress.last_visited_at,
                "completed_at": progress.completed_at,
            },
        ),
        columns=(
            *LESSON_COLUMNS,
            ("first_read_at", gettext_lazy("First read")),
            ("last_visited_at", gettext_lazy("Last visited")),
            ("completed_at", gettext_lazy("Completed")),
        ),
    )
    yield Section(
        "quiz_attempts",
        _("Quiz attempts"),
        rows_with_lessons(
            QuizAttempt.objects.filter(user=user).select_related("lesson").order_by("submitted_at", "id"),
            lambda attempt: {
                "quiz_id": attempt.quiz_block_id,
                "submitted_at": attempt.submitted_at,
                "correct": attempt.correct_count,
                "questions": attempt.question_count,
                "score_percent": attempt.score_percent,
                "passed": attempt.passed,
                "answers": attempt.answers,
            },
        ),
        columns=(
            *LESSON_COLUMNS,
            ("submitted_at", gettext_lazy("Submitted")),
            ("correct", gettext_lazy("Right answers")),
            ("questions", gettext_lazy("Questions")),
            ("score_percent", gettext_lazy("Score (%)")),
            ("passed", gettext_lazy("Passed")),
        ),
        description=_("In data.json, “answers” lists the options you chose in each question by their ids."),
    )
    yield Section(
        "reflection_notes",
        _("Your notes"),
        rows_with_lessons(
            ReflectionNote.objects.filter(user=user).select_related("lesson").order_by("updated_at", "id"),
            lambda note: {"prompt": note.prompt, "text": note.text, "updated_at": note.updated_at},
        ),
        columns=(
            *LESSON_COLUMNS,
            ("prompt", gettext_lazy("Prompt")),
            ("text", gettext_lazy("Your note")),
            ("updated_at", gettext_lazy("Saved")),
        ),
    )
    yield Section(
        "certificates",
        _("Certificates"),
        [
            {
                "course": certificate.course_title,
                "name_on_certificate": certificate.learner_name,
                "language": certificate.language,
                "code": certificate.code,
                "issued_at": certificate.issued_at,
                "verification_page": reverse("lessons:verify_certificate", args=[certificate.code]),
            }
            for certificate in Certificate.objects.filter(user=user).order_by("issued_at")
        ],
        columns=(
            ("course", gettext_lazy("Course")),
            ("name_on_certificate", gettext_lazy("Name on the certificate")),
            ("code", gettext_lazy("Verification code")),
            ("issued_at", gettext_lazy("Issued")),
        ),
    )


def revoke_certificates(user) -> int:
    """Unlink the learner's certificates from the account, drop the name and mark them revoked."""
    return Certificate.objects.filter(user=user).update(user=None, learner_name="", revoked_at=timezone.now())
