"""Listening to the learner's record (``lessons.learning.signals``) for grades to send to LMS gradebooks.

The signals arrive after the learner's write has committed, inside their request. A failure here must
not turn their saved quiz into an error page, so it is logged and the request goes on; the next result
sends the whole standing again.
"""

import logging

from django.db import transaction

from lessons.learning.signals import lesson_completed, quiz_submitted
from lti.tasks import send_score_task

from .services import record_results

logger = logging.getLogger(__name__)


def connect():
    quiz_submitted.connect(on_quiz_submitted, dispatch_uid="lti.grades.quiz_submitted")
    lesson_completed.connect(on_lesson_completed, dispatch_uid="lti.grades.lesson_completed")


def on_quiz_submitted(sender, attempt, **kwargs):
    if attempt.counts_towards_record:  # practice attempts beyond max_attempts change no grade
        queue_results(attempt.user, attempt.lesson)


def on_lesson_completed(sender, progress, **kwargs):
    queue_results(progress.user, progress.lesson)


def queue_results(user, lesson):
    try:
        with transaction.atomic():
            submissions = record_results(user=user, lesson=lesson)
            for submission in submissions:
                transaction.on_commit(lambda pk=submission.pk: send_score_task.delay(pk))
    except Exception:  # see the module docstring
        logger.exception("Grades for LMS gradebooks could not be recorded for user %s, lesson %s", user.pk, lesson.pk)
