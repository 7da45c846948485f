"""Listens to the learning signals (``lessons.learning.signals``) and records webhook events.

A failure here is logged and swallowed: the learner's record is already committed when the signal
is sent, and a problem with webhooks must never turn their lesson or quiz into an error page.
"""

import logging

from api.models import WebhookEndpoint
from api.webhooks import payloads
from api.webhooks.services import record_event
from lessons.learning import signals

logger = logging.getLogger(__name__)
Event = WebhookEndpoint.Event


def on_course_completed(sender, enrolment, **kwargs):
    safely(Event.COURSE_COMPLETED, enrolment.user, enrolment.course, lambda: payloads.course_completed(enrolment))


def on_lesson_completed(sender, progress, **kwargs):
    course = progress.lesson.get_parent().specific
    safely(Event.LESSON_COMPLETED, progress.user, course, lambda: payloads.lesson_completed(progress, course))


def on_certificate_issued(sender, certificate, **kwargs):
    if certificate.user is None or certificate.course is None:
        return
    safely(
        Event.CERTIFICATE_ISSUED, certificate.user, certificate.course, lambda: payloads.certificate_issued(certificate)
    )


def safely(event, member, course, data):
    try:
        record_event(event, member=member, course=course, data=data())
    except Exception:
        logger.exception("Recording the webhook event %s for user %s failed", event, member.pk)


def connect():
    signals.course_completed.connect(on_course_completed, dispatch_uid="api.webhooks.course_completed")
    signals.lesson_completed.connect(on_lesson_completed, dispatch_uid="api.webhooks.lesson_completed")
    signals.certificate_issued.connect(on_certificate_issued, dispatch_uid="api.webhooks.certificate_issued")
