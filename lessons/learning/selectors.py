"""Reads for the learner's own record: course progress, the dashboard, notes, certificates.

Every selector takes the user and returns only that user's rows.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.crypto import salted_hmac

from lessons.models import Certificate, CoursePage, Enrolment, LessonPage, LessonProgress, QuizAttempt, ReflectionNote

from .quizzes import draw_layout


@dataclass
class LessonStatus:
    lesson: LessonPage
    read: bool = False
    completed: bool = False
    last_visited_at: object = None


@dataclass
class CourseProgress:
    course: CoursePage
    enrolment: Enrolment | None
    lessons: list[LessonStatus] = field(default_factory=list)
    certificate: Certificate | None = None

    @property
    def enrolled(self) -> bool:
        return self.enrolment is not None

    @property
    def total(self) -> int:
        return len(self.lessons)

    @property
    def completed_count(self) -> int:
        return sum(status.completed for status in self.lessons)

    @property
    def percent(self) -> int:
        return round(100 * self.completed_count / self.total) if self.total else 0

    @property
    def complete(self) -> bool:
        return bool(self.enrolment and self.enrolment.completed_at)

    @property
    def next_lesson(self) -> LessonPage | None:
        """Continue where you left off: the first incomplete lesson in course order."""
        return next((status.lesson for status in self.lessons if not status.completed), None)

    @property
    def new_lessons(self) -> list[LessonPage]:
        """Lessons published after the learner completed the course: the certificate stands, the lessons are new."""
        if not self.complete:
            return []
        completed_at = self.enrolment.completed_at
        return [
            status.lesson
            for status in self.lessons
            if not status.completed
            and status.lesson.first_published_at
            and status.lesson.first_published_at > completed_at
        ]

    @property
    def last_visited(self) -> LessonPage | None:
        visited = [status for status in self.lessons if status.last_visited_at]
        return max(visited, key=lambda status: status.last_visited_at).lesson if visited else None

    def status_of(self, lesson) -> LessonStatus | None:
        return next((status for status in self.lessons if status.lesson.id == lesson.id), None)


def enrolment_for(user, course) -> Enrolment | None:
    if not user.is_authenticated:
        return None
    return Enrolment.objects.filter(user=user, course_id=course.id).first()


def is_enrolled(user, course_id) -> bool:
    """The one check every learner write makes: enrolled in this course (by id)?"""
    return user.is_authenticated and Enrolment.objects.filter(user=user, course_id=course_id).exists()


def course_progress(user, course: CoursePage, enrolment: Enrolment | None = None) -> CourseProgress:
    enrolment = enrolment or enrolment_for(user, course)
    lessons = list(course.lessons().defer_streamfields())  # titles and links: no lesson's body is read
    progress = CourseProgress(course=course, enrolment=enrolment)
    rows = {}
    if enrolment:
        rows = {row.lesson_id: row for row in LessonProgress.objects.filter(user=user, lesson__in=lessons)}
        progress.certificate = Certificate.objects.filter(user=user, course=course).first()
    for lesson in lessons:
        row = rows.get(lesson.id)
        progress.lessons.append(
            LessonStatus(
                lesson=lesson,
                read=bool(row and row.first_read_at),
                completed=bool(row and row.completed_at),
                last_visited_at=row.last_visited_at if row else None,
            )
        )
    return progress


def dashboard_courses(user) -> list[CourseProgress]:
    """Progress in each course the user is enrolled in, most recently enrolled first."""
    enrolments = (
        Enrolment.objects.filter(user=user, course__live=True).select_related("course").order_by("-enrolled_at")
    )
    return [course_progress(user, enrolment.course, enrolment) for enrolment in enrolments]


def reflection_notes_for(user):
    return ReflectionNote.objects.filter(user=user).select_related("lesson").order_by("-updated_at")


def reflection_note(user, lesson, block_id) -> ReflectionNote | None:
    if not user.is_authenticated:
        return None
    return ReflectionNote.objects.filter(user=user, lesson=lesson, block_id=block_id).first()


def certificates_for(user):
    return Certificate.objects.filter(user=user).order_by("-issued_at")


def latest_attempt(user, lesson, quiz_block_id) -> QuizAttempt | None:
    if not user.is_authenticated:
        return None
    return QuizAttempt.objects.filter(user=user, lesson=lesson, quiz_block_id=quiz_block_id).first()


def passed_quiz(user, lesson, quiz_block_id) -> bool:
    return QuizAttempt.objects.filter(
        user=user, lesson=lesson, quiz_block_id=quiz_block_id, passed=True, counts_towards_record=True
    ).exists()


@dataclass
class NextAttempt:
    """The learner's next attempt at a quiz: what it shows, whether it counts and when it opens."""

    number: int
    layout: list
    counts: bool
    max_attempts: int | None
    opens_at: datetime | None  # the end of a cooldown; None when it is open now

    @property
    def attempts_left(self) -> int | None:
        return None if self.max_attempts is None else max(self.max_attempts - self.number + 1, 0)


def next_attempt(user, lesson, quiz_block_id, quiz) -> NextAttempt:
    """Draw the learner's next attempt without writing anything.

    The draw is seeded by a keyed hash of learner, lesson, quiz and attempt number: reloading the
    page shows the same questions (no re-rolling for an easier set), the next attempt draws anew,
    and nobody can predict another learner's order without the secret key. An anonymous visitor
    gets a fresh random order each time, since they cannot submit.
    """
    if not user.is_authenticated:
        return NextAttempt(1, draw_layout(quiz, random.Random()), False, quiz.get("max_attempts"), None)
    previous = QuizAttempt.objects.filter(user=user, lesson=lesson, quiz_block_id=quiz_block_id)
    number = previous.count() + 1
    seed = salted_hmac("lessons.quiz-draw", f"{user.pk}:{lesson.pk}:{quiz_block_id}:{number}").hexdigest()
    max_attempts = quiz.get("max_attempts")
    return NextAttempt(
        number=number,
        layout=draw_layout(quiz, random.Random(seed)),
        counts=max_attempts is None or number <= max_attempts,
        max_attempts=max_attempts,
        opens_at=_cooldown_end(previous.first(), quiz.get("cooldown_minutes")),
    )


def _cooldown_end(last_attempt, cooldown_minutes):
    """A failed attempt closes the quiz for the cooldown; a pass does not (retaking it is practice)."""
    if not cooldown_minutes or last_attempt is None or last_attempt.passed:
        return None
    opens_at = last_attempt.submitted_at + timedelta(minutes=cooldown_minutes)
    return opens_at if opens_at > timezone.now() else None


def quiz_block_ids(lesson: LessonPage) -> list[str]:
    return [block.id for block in lesson.body if block.block_type == "quiz"]


def lesson_requirements_met(*, user, lesson: LessonPage, progress: LessonProgress | None) -> bool:
    if progress is None or progress.first_read_at is None:
        return False
    required = set(quiz_block_ids(lesson))
    if not required:
        return True
    passed = set(
        QuizAttempt.objects.filter(
            user=user, lesson=lesson, passed=True, counts_towards_record=True, quiz_block_id__in=required
        )
        .values_list("quiz_block_id", flat=True)
        .distinct()
    )
    return required <= passed
