"""CSV exports: a group's progress, and the organisation's training record (direct or as a Celery job).

The training record is what an employer shows an auditor for EU AI Act art. 4 (staff AI literacy):
who was assigned which course, when, whether and when they completed it, their best quiz score
and the code of their certificate (verifiable on the public certificate page).
"""

import csv
import io

from django.db import transaction
from django.utils import timezone
from django.utils.translation import pgettext, pgettext_lazy

from lessons.models import ExportJob
from lessons.organisations.reports import (
    TRAINING_RECORD_HEADER,
    count_training_record_rows,
    group_matrices,
    training_record_rows,
)

# Above this many rows the direct download hands over to a background job.
DIRECT_EXPORT_ROW_LIMIT = 2000
PROGRESS_SAVE_EVERY = 25

# Column titles in the reader's language (the cells stay ISO dates, numbers and codes).
GROUP_PROGRESS_HEADER = [
    pgettext_lazy("CSV column", "learner"),
    pgettext_lazy("CSV column", "username"),
    pgettext_lazy("CSV column", "course"),
    pgettext_lazy("CSV column", "due"),
    pgettext_lazy("CSV column", "lesson"),
    pgettext_lazy("CSV column", "done"),
    pgettext_lazy("CSV column", "best quiz score (%)"),
    pgettext_lazy("CSV column", "quiz attempts"),
    pgettext_lazy("CSV column", "course completed"),
    pgettext_lazy("CSV column", "overdue"),
]


def yes_no(flag):
    return pgettext("CSV cell", "yes") if flag else pgettext("CSV cell", "no")


def display_name(user):
    return user.get_full_name() or user.get_username()


def iso(value):
    """Dates as YYYY-MM-DD (datetimes in the site's time zone), empty when missing."""
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        value = timezone.localdate(value)
    return value.isoformat()


def blank_if_none(value):
    return "" if value is None else value


def training_record_csv_row(row):
    return [
        display_name(row.learner),
        row.learner.get_username(),
        row.learner.email,
        row.group.name,
        row.course.title,
        iso(row.assigned_at),
        iso(row.due_date),
        iso(row.completed_at),
        blank_if_none(row.best_quiz_score),
        row.certificate_code,
        row.language,
    ]


def group_progress_csv(group):
    """One line per learner × lesson of every course assigned to the group."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(GROUP_PROGRESS_HEADER)
    for matrix in group_matrices(group):
        for row in matrix.rows:
            for lesson, cell in zip(matrix.lessons, row.cells, strict=True):
                writer.writerow(
                    [
                        display_name(row.learner),
                        row.learner.get_username(),
                        matrix.assignment.course.title,
                        iso(matrix.assignment.due_date),
                        lesson.title,
                        yes_no(cell.done),
                        blank_if_none(cell.best_score),
                        cell.attempts,
                        iso(row.completed_at),
                        yes_no(row.overdue),
                    ]
                )
    return out.getvalue()


def write_training_record(organisation, on_row=None):
    """The training record as CSV text; ``on_row(n)`` is called after each row (for progress)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(TRAINING_RECORD_HEADER)
    for number, row in enumerate(training_record_rows(organisation), start=1):
        writer.writerow(training_record_csv_row(row))
        if on_row:
            on_row(number)
    return out.getvalue()


def start_training_record_export(*, organisation, requested_by):
    """Create the job and queue the task once the job row is committed (the worker must see it)."""
    from lessons.tasks import export_training_record

    job = ExportJob.objects.create(organisation=organisation, requested_by=requested_by)
    transaction.on_commit(lambda: export_training_record.delay(job.pk))
    return job


def run_training_record_export(job_id):
    """The task body: count, write with progress saved every few rows, store the CSV, mark done or failed."""
    job = ExportJob.objects.select_related("organisation").get(pk=job_id)
    job.status, job.progress = ExportJob.Status.RUNNING, 0
    job.total = count_training_record_rows(job.organisation)
    job.save(update_fields=["status", "progress", "total"])

    def report(number):
        if number % PROGRESS_SAVE_EVERY == 0 or number == job.total:
            ExportJob.objects.filter(pk=job.pk).update(progress=number)

    try:
        content = write_training_record(job.organisation, on_row=report)
    except Exception as error:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=str(error)[:1000], finished_at=timezone.now()
        )
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE, content=content, progress=job.total, finished_at=timezone.now()
    )
