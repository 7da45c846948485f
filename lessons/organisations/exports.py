"""CSV exports: a group's progress, and the organisation's training record (direct or as a Celery job).

The training record is what an employer shows an auditor for EU AI Act art. 4 (staff AI literacy):
who was assigned which course, when, whether and when they completed it, their best quiz score
and the code of their certificate (verifiable on the public certificate page).

Every CSV is written through ``SpreadsheetSafeWriter``: names, titles and e-mails are typed by
users, and a cell such as ``=HYPERLINK(...)`` would run as a formula when the file is opened in a
spreadsheet (CSV injection).
"""

import csv
import io
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import pgettext

from lessons.models import ExportJob
from lessons.organisations.personal_data import anonymised_training_record_csv_row, anonymised_training_records
from lessons.organisations.reports import (
    count_training_record_rows,
    group_matrices,
    training_record_header,
    training_record_rows,
)
from lessons.organisations.wording import wording_for

# Above this many rows the direct download hands over to a background job.
DIRECT_EXPORT_ROW_LIMIT = 2000
PROGRESS_SAVE_EVERY = 25

# What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """The cell as text, with a leading ' when it would otherwise start a formula (OWASP's advice)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


class SpreadsheetSafeWriter:
    """``csv.writer`` for every export here: each cell passes through ``spreadsheet_safe``."""

    def __init__(self, out):
        self.writer = csv.writer(out)

    def writerow(self, row):
        self.writer.writerow([spreadsheet_safe(cell) for cell in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def group_progress_header(organisation):
    """Column titles in the reader's language and the organisation's words (the cells stay ISO dates, numbers)."""
    return [
        wording_for(organisation).csv_member,
        pgettext("CSV column", "username"),
        pgettext("CSV column", "course"),
        pgettext("CSV column", "due"),
        pgettext("CSV column", "lesson"),
        pgettext("CSV column", "done"),
        pgettext("CSV column", "best quiz score (%)"),
        pgettext("CSV column", "quiz attempts"),
        pgettext("CSV column", "course completed"),
        pgettext("CSV column", "overdue"),
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
    writer = SpreadsheetSafeWriter(out)
    writer.writerow(group_progress_header(group.organisation))
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
    writer = SpreadsheetSafeWriter(out)
    writer.writerow(training_record_header(organisation))
    for number, row in enumerate(training_record_rows(organisation), start=1):
        writer.writerow(training_record_csv_row(row))
        if on_row:
            on_row(number)
    # Courses completed by people who have since deleted their account, without their names.
    writer.writerows(anonymised_training_record_csv_row(record) for record in anonymised_training_records(organisation))
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


def expire_exports():
    """Blank the CSV of every export older than EXPORT_RETENTION_DAYS and mark it expired; returns how many.

    The download view already refuses them on time; this removes the personal data they hold.
    """
    cutoff = timezone.now() - timedelta(days=settings.EXPORT_RETENTION_DAYS)
    return ExportJob.objects.filter(status=ExportJob.Status.DONE, finished_at__lte=cutoff).update(
        status=ExportJob.Status.EXPIRED, content=""
    )
