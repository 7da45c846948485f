"""Webhook writes: record an event as one delivery per listening endpoint, and make one delivery attempt.

A delivery is queued as a Celery task once its row is committed. Each attempt claims its number
with one atomic UPDATE, POSTs outside any transaction, then logs what happened (status code, the
start of the response, or the error) with the time of the next try. 2xx is delivered; anything
else, redirects included, is retried after ``API_WEBHOOK_RETRY_BASE_SECONDS × 2^(n-1)`` until
``API_WEBHOOK_MAX_ATTEMPTS``, then given up (failed). Without a broker (tasks run in-process) a
failed attempt is not retried: waiting would hold up the learner's request that caused the event.
"""

import time
from dataclasses import dataclass
from datetime import timedelta

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from api.models import WebhookAttempt, WebhookDelivery
from api.webhooks import payloads
from api.webhooks.selectors import assigning_groups, listening_endpoints
from api.webhooks.signing import SIGNATURE_HEADER, signature

EXCERPT_BYTES = 2000  # read at most this much of a receiver's answer
EXCERPT_CHARS = 500  # and keep this much of it


def record_event(event, *, member, course, data):
    """One delivery of ``event`` for each endpoint listening to it about ``member`` on ``course``; returns them."""
    from api.tasks import deliver_webhook

    deliveries = []
    for endpoint in listening_endpoints(member, course, event):
        delivery = WebhookDelivery(endpoint=endpoint, event=event, member=member)
        groups = assigning_groups(member, course, endpoint.organisation)
        delivery.body = payloads.body(delivery, endpoint.organisation, groups, data)
        delivery.save()
        transaction.on_commit(lambda pk=delivery.pk: deliver_webhook.delay(pk))
        deliveries.append(delivery)
    return deliveries


@dataclass(frozen=True)
class Answer:
    status_code: int | None = None
    excerpt: str = ""
    error: str = ""
    duration_ms: int = 0

    @property
    def succeeded(self):
        return self.status_code is not None and 200 <= self.status_code < 300


def backoff(number):
    """Seconds to wait after failed attempt ``number`` (1, 2, …): doubling from API_WEBHOOK_RETRY_BASE_SECONDS."""
    return settings.API_WEBHOOK_RETRY_BASE_SECONDS * 2 ** (number - 1)


def attempt_delivery(delivery_id, *, may_retry=True):
    """POST a pending delivery once and log the attempt; returns seconds until the next try, or None when done."""
    claimed = WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING).update(
        attempt_count=F("attempt_count") + 1
    )
    if not claimed:  # delivered, given up or deleted meanwhile
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint, number = delivery.endpoint, delivery.attempt_count
    answer = post(delivery, number) if endpoint.is_active else Answer(error="The endpoint was switched off; not sent.")
    retry_in = None
    if not answer.succeeded and endpoint.is_active and may_retry and number < settings.API_WEBHOOK_MAX_ATTEMPTS:
        retry_in = backoff(number)
    now = timezone.now()
    next_try = now + timedelta(seconds=retry_in) if retry_in is not None else None
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=number,
        status_code=answer.status_code,
        response_excerpt=answer.excerpt,
        error=answer.error[:500],
        duration_ms=answer.duration_ms,
        next_retry_at=next_try,
    )
    if answer.succeeded:
        status = WebhookDelivery.Status.DELIVERED
    else:
        status = WebhookDelivery.Status.PENDING if retry_in is not None else WebhookDelivery.Status.FAILED
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=status, next_attempt_at=next_try, delivered_at=now if answer.succeeded else None
    )
    return retry_in


def post(delivery, number):
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "AI-Literacy-Webhooks/1",
        "X-Webhook-Id": str(delivery.uuid),
        "X-Webhook-Event": delivery.event,
        "X-Webhook-Attempt": str(number),
        SIGNATURE_HEADER: signature(delivery.endpoint.secret, int(time.time()), body),
    }
    started = time.monotonic()

    def elapsed():
        return round((time.monotonic() - started) * 1000)

    try:
        with (
            httpx.Client(timeout=settings.API_WEBHOOK_TIMEOUT_SECONDS, follow_redirects=False) as client,
            client.stream("POST", delivery.endpoint.url, content=body, headers=headers) as response,
        ):
            return Answer(status_code=response.status_code, excerpt=read_excerpt(response), duration_ms=elapsed())
    except httpx.HTTPError as error:
        return Answer(error=f"{type(error).__name__}: {error}", duration_ms=elapsed())


def read_excerpt(response):
    """The start of the answer, without reading all of what a misbehaving receiver might send."""
    received = b""
    for chunk in response.iter_bytes():
        received += chunk
        if len(received) >= EXCERPT_BYTES:
            break
    return received[:EXCERPT_BYTES].decode(response.encoding or "utf-8", errors="replace")[:EXCERPT_CHARS]


def delete_old_deliveries():
    """Delete deliveries (and their attempts) older than API_WEBHOOK_RETENTION_DAYS; returns how many."""
    cutoff = timezone.now() - timedelta(days=settings.API_WEBHOOK_RETENTION_DAYS)
    deleted, _by_model = WebhookDelivery.objects.filter(created_at__lt=cutoff).delete()
    return deleted
