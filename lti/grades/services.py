"""Grades to LMS gradebooks (Assignment and Grade Services): recorded first, sent by a Celery task.

``record_results`` runs when a learner's record changes (``lti.grades.receivers``): for each placement
the result goes to (``graded_placements``) it stores a ``ScoreSubmission`` with the learner's current
result, unless the last one for that placement says the same; the receiver queues ``lti.send_score``
for each new row. ``send_score`` asks the LMS for an access token (a JWT signed with the tool's key,
OAuth 2 client credentials), finds or creates the placement's line item when the LMS named none, and
posts the score. What the LMS answered is kept on the row, which the admin lists.

A row that a newer one for the same learner and placement has overtaken is not sent ("replaced"): the
newer one carries the whole result. Network errors, 429 and 5xx answers are retried with backoff (the
task); other answers fail the row at once, and the learner's next result tries again.
"""

import requests
from django.core.cache import cache
from django.utils import timezone
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.service_connector import ServiceConnector

from lti.models import ScoreSubmission
from lti.protocol import TimeoutSession

from .selectors import (
    SCORE_MAXIMUM,
    graded_placements,
    granted_scopes,
    latest_submission,
    newer_submission_exists,
    result_for,
)

Status = ScoreSubmission.Status
LINE_ITEM_TAG = "ai-literacy"
LINE_ITEM_LOCK_SECONDS = 60


class ScoreNotTaken(Exception):
    """The LMS could not take the score just now (network, 429, 5xx, or a line item being created): try again."""


def record_results(*, user, lesson):
    """Store the learner's current result for every LMS placement of ``lesson`` or its course; returns the new rows."""
    submissions = []
    for placement, lti_user in graded_placements(user, lesson):
        result = result_for(user, lesson, placement)
        last = latest_submission(placement, lti_user)
        unchanged = (
            last is not None
            and last.status in (Status.PENDING, Status.SENT)
            and (
                (last.score_given, last.score_maximum, last.activity_progress, last.grading_progress)
                == (result.score_given, result.score_maximum, result.activity_progress, result.grading_progress)
            )
        )
        if unchanged:
            continue
        submission = ScoreSubmission.objects.create(
            placement=placement,
            lti_user=lti_user,
            user=user,
            score_given=result.score_given,
            score_maximum=result.score_maximum,
            activity_progress=result.activity_progress,
            grading_progress=result.grading_progress,
            timestamp=timezone.now(),
        )
        submissions.append(submission)
    return submissions


def send_score(submission_id, *, last_try):
    """Send one pending submission; raises ScoreNotTaken for a retry unless ``last_try`` (then it fails)."""
    submission = (
        ScoreSubmission.objects.select_related(
            "lti_user", "placement__page", "placement__resource_link__context__deployment__registration"
        )
        .filter(pk=submission_id, status=Status.PENDING)
        .first()
    )
    if submission is None:  # sent, failed or replaced meanwhile
        return None
    if newer_submission_exists(submission):
        return _finish(submission, Status.REPLACED)
    submission.attempts += 1
    try:
        service = _grades_service(submission.placement)
        submission.line_item_url = _line_item_url(submission.placement, service)
        service.put_grade(_grade(submission), LineItem({"id": submission.line_item_url}))
    except LtiServiceException as error:
        status = error.response.status_code
        transient = status == 429 or status >= 500
        return _failed(submission, str(error), status=status, transient=transient, last_try=last_try)
    except (requests.RequestException, ScoreNotTaken) as error:
        return _failed(submission, str(error), transient=True, last_try=last_try)
    except LtiException as error:  # the LMS granted no scope or line item for this: nothing to retry
        return _failed(submission, str(error), transient=False, last_try=last_try)
    submission.sent_at = timezone.now()
    return _finish(submission, Status.SENT, error="", response_status=None)


def _finish(submission, status, **fields):
    submission.status = status
    for name, value in fields.items():
        setattr(submission, name, value)
    submission.save()
    return submission.status


def _failed(submission, error, *, transient, last_try, status=None):
    if transient and not last_try:
        _finish(submission, Status.PENDING, error=error, response_status=status)
        raise ScoreNotTaken(error)
    return _finish(submission, Status.FAILED, error=error, response_status=status)


def _grades_service(placement):
    context = placement.resource_link.context
    registration = context.deployment.registration.to_registration()
    service_data = {"scope": granted_scopes(context), "lineitems": context.lineitems_url}
    return AssignmentsGradesService(ServiceConnector(registration, TimeoutSession()), service_data)


def _line_item_url(placement, service):
    """The placement's line item: the one the LMS named, else found by resource link id or created, once.

    A lock in the shared cache keeps two learners' first grades from creating two line items; the one
    that finds it taken is retried shortly.
    """
    if placement.line_item_url:
        return placement.line_item_url
    lock = f"lti:line-item:{placement.pk}"
    if not cache.add(lock, 1, timeout=LINE_ITEM_LOCK_SECONDS):
        raise ScoreNotTaken("Another grade is creating this placement's line item.")
    try:
        placement.refresh_from_db(fields=["line_item_url"])
        if not placement.line_item_url:
            wanted = (
                LineItem()
                .set_label(placement.page.title)
                .set_score_maximum(SCORE_MAXIMUM)
                .set_resource_id(f"page-{placement.page_id}")
                .set_resource_link_id(placement.resource_link.id_on_platform)
                .set_tag(LINE_ITEM_TAG)
            )
            placement.line_item_url = service.find_or_create_lineitem(wanted, find_by="resource_link_id").get_id()
            placement.save(update_fields=["line_item_url", "updated_at"])
    finally:
        cache.delete(lock)
    return placement.line_item_url


def _grade(submission):
    return (
        Grade()
        .set_score_given(submission.score_given)
        .set_score_maximum(submission.score_maximum)
        .set_activity_progress(submission.activity_progress)
        .set_grading_progress(submission.grading_progress)
        .set_timestamp(submission.timestamp.isoformat(timespec="milliseconds"))
        .set_user_id(submission.lti_user.sub)
    )
