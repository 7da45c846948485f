"""Background work of the api app: webhook deliveries with their retries, and deleting old deliveries."""

from celery import shared_task

from api.webhooks.services import attempt_delivery, delete_old_deliveries


@shared_task(bind=True, name="api.deliver_webhook", max_retries=None)
def deliver_webhook(self, delivery_id):
    """One attempt; a failed one comes back after the backoff (``api.webhooks.services``) until it gives up."""
    retry_in = attempt_delivery(delivery_id, may_retry=not self.request.is_eager)
    if retry_in is not None:
        raise self.retry(countdown=retry_in)
    return {"delivery_id": delivery_id}


@shared_task(name="api.delete_old_webhook_deliveries")
def delete_old_webhook_deliveries():
    """Periodic (CELERY_BEAT_SCHEDULE): deliveries name members, so they are kept API_WEBHOOK_RETENTION_DAYS."""
    return {"deleted": delete_old_deliveries()}
