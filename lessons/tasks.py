"""Background work for the lessons app: exports too large to build inside a web request, and their clean-up."""

from celery import shared_task

from lessons.organisations.exports import expire_exports as expire_old_exports
from lessons.organisations.exports import run_training_record_export


@shared_task(name="lessons.export_training_record")
def export_training_record(job_id):
    """Build one training-record export job; progress and the CSV are saved on the job row."""
    run_training_record_export(job_id)
    return {"job_id": job_id}


@shared_task(name="lessons.expire_exports")
def expire_exports():
    """Periodic (CELERY_BEAT_SCHEDULE): delete the CSV of exports past EXPORT_RETENTION_DAYS."""
    return {"expired": expire_old_exports()}
