"""What happened to a learner's record, for apps that pass it on (webhooks, an LMS gradebook).

Each signal is sent once the transaction that wrote the record has committed, so a receiver that
queues a Celery task never hands the worker a row it cannot see yet, and a rolled-back write
never reaches anyone outside. ``lessons`` does not know who listens.

* ``quiz_submitted(attempt)`` — a graded QuizAttempt was stored;
* ``lesson_completed(progress)`` — a LessonProgress became complete;
* ``course_completed(enrolment)`` — an Enrolment became complete;
* ``certificate_issued(certificate)`` — a Certificate was created.
"""

from django.db import transaction
from django.dispatch import Signal

quiz_submitted = Signal()
lesson_completed = Signal()
course_completed = Signal()
certificate_issued = Signal()


def send_after_commit(signal: Signal, **kwargs) -> None:
    transaction.on_commit(lambda: signal.send(sender=None, **kwargs))
