"""Lesson and course progress: reading a lesson, completing it, completing the course.

A lesson is complete when the enrolled learner has opened it and passed every quiz in it
(a lesson without a quiz is complete once read). When every live lesson of the course is
complete, the enrolment is marked complete and a certificate is issued.
"""

from django.db import transaction
from django.utils import timezone

from lessons.certificates import issue_certificate
from lessons.models import Enrolment, LessonPage, LessonProgress, QuizAttempt
from lessons.selectors import is_enrolled


def quiz_block_ids(lesson: LessonPage) -> list[str]:
    return [block.id for block in lesson.body if block.block_type == "quiz"]


def record_visit_from_request(request, lesson: LessonPage):
    """Record a visit when a signed-in learner opens the live lesson (never for previews)."""
    if getattr(request, "is_preview", False) or not request.user.is_authenticated:
        return None
    return record_lesson_visit(user=request.user, lesson=lesson)


def record_lesson_visit(*, user, lesson: LessonPage) -> LessonProgress | None:
    """Mark the lesson read (first time) and visited (every time) for an enrolled learner."""
    if not is_enrolled(user, lesson.get_parent().id):
        return None
    now = timezone.now()
    with transaction.atomic():
        progress, _created = LessonProgress.objects.select_for_update().get_or_create(user=user, lesson=lesson)
        progress.first_read_at = progress.first_read_at or now
        progress.last_visited_at = now
        progress.save(update_fields=["first_read_at", "last_visited_at"])
    refresh_lesson_completion(user=user, lesson=lesson)
    return progress


def lesson_requirements_met(*, user, lesson: LessonPage, progress: LessonProgress | None) -> bool:
    if progress is None or progress.first_read_at is None:
        return False
    required = set(quiz_block_ids(lesson))
    if not required:
        return True
    passed = set(
        QuizAttempt.objects.filter(user=user, lesson=lesson, passed=True, quiz_block_id__in=required)
        .values_list("quiz_block_id", flat=True)
        .distinct()
    )
    return required <= passed


def refresh_lesson_completion(*, user, lesson: LessonPage) -> bool:
    """Mark the lesson complete if its requirements are met; then check the whole course."""
    progress = LessonProgress.objects.filter(user=user, lesson=lesson).first()
    if progress is None:
        return False
    if progress.completed_at is None and lesson_requirements_met(user=user, lesson=lesson, progress=progress):
        progress.completed_at = timezone.now()
        progress.save(update_fields=["completed_at"])
    if progress.completed_at is not None:
        refresh_course_completion(user=user, course=lesson.get_parent().specific)
    return progress.completed_at is not None


def refresh_course_completion(*, user, course) -> bool:
    """Complete the enrolment and issue the certificate once every live lesson is complete."""
    enrolment = Enrolment.objects.filter(user=user, course=course).first()
    if enrolment is None:
        return False
    lesson_ids = set(course.lessons().values_list("id", flat=True))
    completed_ids = set(
        LessonProgress.objects.filter(user=user, lesson_id__in=lesson_ids, completed_at__isnull=False).values_list(
            "lesson_id", flat=True
        )
    )
    if not lesson_ids or completed_ids != lesson_ids:
        return False
    if enrolment.completed_at is None:
        enrolment.completed_at = timezone.now()
        enrolment.save(update_fields=["completed_at"])
    issue_certificate(user=user, course=course)
    return True
