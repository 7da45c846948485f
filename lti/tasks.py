"""Grades to LMS gradebooks, sent in the background so a slow or failing LMS never holds up a learner."""

from celery import shared_task
from django.conf import settings

from lti.grades.services import ScoreNotTaken, send_score


@shared_task(name="lti.send_score", bind=True, max_retries=None)
def send_score_task(self, submission_id):
    """Send one grade; while the LMS is unavailable, retry after base × 2^(n-1) s, ``LTI_SCORE_MAX_RETRIES`` times.

    Without a broker the task runs eagerly, inside the learner's request: there it is tried once, and a
    failure leaves the row "failed" (the learner's next result sends their whole standing again).
    """
    retries = self.request.retries
    last_try = self.request.is_eager or retries >= settings.LTI_SCORE_MAX_RETRIES
    try:
        return send_score(submission_id, last_try=last_try)
    except ScoreNotTaken as error:
        raise self.retry(exc=error, countdown=settings.LTI_SCORE_RETRY_BASE_SECONDS * 2**retries) from error
