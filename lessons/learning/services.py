"""Every write of a learner's record: enrolment, visits, completion, quiz attempts, notes, certificates.

A lesson is complete when the enrolled learner has opened it and passed every quiz in it (a
lesson without a quiz is complete once read). When every live lesson of the course is complete,
the enrolment is marked complete and one certificate is issued. The certificate copies the
learner's name and the course title at the moment of issue, so the public verification page shows
exactly what the printed certificate says and nothing else.
"""

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from lessons.models import Certificate, CoursePage, Enrolment, LessonPage, LessonProgress, QuizAttempt, ReflectionNote

from .exceptions import NotEnrollable, NotEnrolled, QuizCoolingDown, ReflectionNotFound
from .quizzes import QuizResult, find_quiz, grade, parse_answers
from .selectors import is_enrolled, lesson_requirements_met, next_attempt
from .signals import certificate_issued, course_completed, lesson_completed, quiz_submitted, send_after_commit


def enrol(*, user, course: CoursePage) -> Enrolment:
    """Enrol ``user`` in a live ``course``; enrolling twice returns the existing enrolment."""
    if not course.live:
        raise NotEnrollable(_("This course is not open for enrolment."))
    enrolment, _created = Enrolment.objects.get_or_create(user=user, course=course)
    return enrolment


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


def refresh_lesson_completion(*, user, lesson: LessonPage) -> bool:
    """Mark the lesson complete if its requirements are met; then check the whole course."""
    progress = LessonProgress.objects.filter(user=user, lesson=lesson).first()
    if progress is None:
        return False
    if progress.completed_at is None and lesson_requirements_met(user=user, lesson=lesson, progress=progress):
        progress.completed_at = timezone.now()
        progress.save(update_fields=["completed_at"])
        send_after_commit(lesson_completed, progress=progress)
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
        send_after_commit(course_completed, enrolment=enrolment)
    issue_certificate(user=user, course=course)
    return True


def learner_display_name(user) -> str:
    return user.get_full_name().strip() or user.get_username()


def issue_certificate(*, user, course: CoursePage) -> Certificate:
    """Return the learner's certificate for ``course``, creating it the first time."""
    existing = Certificate.objects.filter(user=user, course=course).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            certificate = Certificate.objects.create(
                user=user,
                course=course,
                learner_name=learner_display_name(user),
                course_title=course.title,
                language=course.locale.language_code,
            )
    except IntegrityError:
        # A concurrent request issued it first; the unique constraint keeps it to one.
        return Certificate.objects.get(user=user, course=course)
    send_after_commit(certificate_issued, certificate=certificate)
    return certificate


def submit_quiz(*, user, lesson: LessonPage, quiz_block_id: str, data) -> tuple[QuizAttempt, QuizResult]:
    """Grade a submission against the learner's current draw, store the attempt and update progress.

    Raises NotEnrolled, QuizNotFound, QuizCoolingDown or QuizInputError before anything is written.
    """
    course_id = lesson.get_parent().id
    if not is_enrolled(user, course_id):
        raise NotEnrolled(_("Enrol in this course to submit its quizzes."))
    quiz = find_quiz(lesson, quiz_block_id)
    with transaction.atomic():
        # One submission at a time per learner and course, so two tabs cannot both use the same draw.
        Enrolment.objects.select_for_update().get(user=user, course_id=course_id)
        upcoming = next_attempt(user, lesson, quiz_block_id, quiz)
        if upcoming.opens_at:
            raise QuizCoolingDown(
                _("You can try this quiz again at %(time)s.")
                % {"time": formats.time_format(timezone.localtime(upcoming.opens_at), "TIME_FORMAT")}
            )
        answers = parse_answers(quiz, data, upcoming.layout)
        result = grade(quiz, answers, upcoming.layout)
        attempt = QuizAttempt.objects.create(
            user=user,
            lesson=lesson,
            quiz_block_id=quiz_block_id,
            layout=upcoming.layout,
            answers=answers,
            counts_towards_record=upcoming.counts,
            correct_count=result.correct_count,
            question_count=result.question_count,
            score_percent=result.score_percent,
            passed=result.passed,
        )
        refresh_lesson_completion(user=user, lesson=lesson)
        send_after_commit(quiz_submitted, attempt=attempt)
    return attempt, result


def reflection_prompt(lesson: LessonPage, block_id: str) -> str:
    for block in lesson.body:
        if block.block_type == "reflection" and block.id == block_id:
            return block.value["prompt"]
    raise ReflectionNotFound(_("This lesson has no such reflection prompt."))


def save_reflection_note(*, user, lesson: LessonPage, block_id: str, text: str) -> ReflectionNote:
    """Create or update the learner's note; the prompt is copied so the dashboard can show it."""
    if not is_enrolled(user, lesson.get_parent().id):
        raise NotEnrolled(_("Enrol in this course to keep notes on its lessons."))
    prompt = reflection_prompt(lesson, block_id)
    note, _created = ReflectionNote.objects.update_or_create(
        user=user, lesson=lesson, block_id=block_id, defaults={"prompt": prompt, "text": text}
    )
    return note
