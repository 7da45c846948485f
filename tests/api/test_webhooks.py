"""Webhooks: who hears about what, signed deliveries by a real Celery worker to a real receiver on loopback,
retries with backoff and the log of every attempt, the admin pages, and deleting old deliveries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from api.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from api.webhooks.services import attempt_delivery, delete_old_deliveries
from api.webhooks.signing import signature
from lessons.learning.services import enrol, record_lesson_visit
from lessons.models import Membership
from tests.api.receiver import Receiver, verify
from tests.factories import GroupFactory, UserFactory, assign, course, lesson, member, paragraph

Event = WebhookEndpoint.Event
ALL_EVENTS = [Event.COURSE_COMPLETED, Event.LESSON_COMPLETED, Event.CERTIFICATE_ISSUED]


def one_lesson_course(title="AI basics"):
    page = course(title=title)
    return page, lesson(page, title="What AI is", body=[paragraph("<p>Reading only: done once read.</p>")])


def learner_in(group, page):
    """A learner of ``group``, enrolled in ``page`` as the assignment would have done."""
    pupil = member(group, username="mari", email="mari@example.org", first_name="Mari", last_name="Maasikas")
    enrol(user=pupil, course=page)
    return pupil


@pytest.fixture
def receiver():
    server = Receiver(secret="shared-secret-for-tests").start()
    yield server
    server.stop()


def test_the_signature_is_hmac_sha256_of_time_and_body_and_the_receiver_can_check_it():
    body = b'{"type":"course.completed"}'
    header = signature("s3cret", 1_700_000_000, body)
    assert header.startswith("t=1700000000,v1=") and len(header.split("v1=")[1]) == 64
    assert verify("s3cret", header, body, now=1_700_000_100)
    assert not verify("s3cret", header, body + b" ", now=1_700_000_100)  # tampered body
    assert not verify("other", header, body, now=1_700_000_100)  # wrong secret
    assert not verify("s3cret", header, body, now=1_700_001_000)  # replayed 15 minutes later


@pytest.mark.django_db
def test_only_organisations_that_assigned_the_course_to_a_group_the_member_learns_in_hear_of_it(
    class_9b, django_capture_on_commit_callbacks
):
    page, reading = one_lesson_course()
    assign(class_9b, page)
    pupil = learner_in(class_9b, page)
    WebhookEndpoint.objects.create(organisation=class_9b.organisation, url="http://127.0.0.1:9/a", events=ALL_EVENTS)
    WebhookEndpoint.objects.create(
        organisation=class_9b.organisation, url="http://127.0.0.1:9/b", events=ALL_EVENTS, is_active=False
    )
    WebhookEndpoint.objects.create(
        organisation=class_9b.organisation, url="http://127.0.0.1:9/c", events=[Event.CERTIFICATE_ISSUED]
    )
    elsewhere = GroupFactory(name="Other school's class")  # the pupil learns there too, without this course
    Membership.objects.create(user=pupil, organisation=elsewhere.organisation, group=elsewhere)
    WebhookEndpoint.objects.create(organisation=elsewhere.organisation, url="http://127.0.0.1:9/d", events=ALL_EVENTS)
    staff_org = GroupFactory(name="Where the pupil teaches")
    assign(staff_org, page)
    Membership.objects.create(
        user=pupil, organisation=staff_org.organisation, group=staff_org, role=Membership.Role.TEACHER
    )
    WebhookEndpoint.objects.create(organisation=staff_org.organisation, url="http://127.0.0.1:9/e", events=ALL_EVENTS)

    with django_capture_on_commit_callbacks(execute=True):  # the signals, then (eagerly) the deliveries
        record_lesson_visit(user=pupil, lesson=reading)

    sent = {
        (delivery.endpoint.url[-1], delivery.event) for delivery in WebhookDelivery.objects.select_related("endpoint")
    }
    assert sent == {
        ("a", Event.LESSON_COMPLETED),
        ("a", Event.COURSE_COMPLETED),
        ("a", Event.CERTIFICATE_ISSUED),
        ("c", Event.CERTIFICATE_ISSUED),
    }


@pytest.mark.django_db
def test_a_broken_webhook_never_breaks_the_learners_progress(
    class_9b, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    page, reading = one_lesson_course()
    assign(class_9b, page)
    pupil = learner_in(class_9b, page)
    WebhookEndpoint.objects.create(organisation=class_9b.organisation, url="http://127.0.0.1:9/", events=ALL_EVENTS)

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("api.webhooks.receivers.record_event", broken)
    with django_capture_on_commit_callbacks(execute=True):
        progress = record_lesson_visit(user=pupil, lesson=reading)
    progress.refresh_from_db()
    assert progress.completed_at is not None and pupil.certificates.exists()
    assert "Recording the webhook event" in caplog.text


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_completions_and_certificates_reach_the_receiver_signed_and_are_logged(
    celery_worker, receiver, school, wait_for
):
    group = GroupFactory(organisation=school, name="Class 9B")
    page, reading = one_lesson_course()
    assign(group, page)
    pupil = learner_in(group, page)
    endpoint = WebhookEndpoint.objects.create(
        organisation=school, url=receiver.url, secret=receiver.secret, events=ALL_EVENTS
    )

    record_lesson_visit(user=pupil, lesson=reading)  # read → lesson complete → course complete → certificate

    assert wait_for(lambda: len(receiver.verified()) == 3, timeout=60), receiver.received
    assert all(request["verified"] for request in receiver.received)
    bodies = {request["body"]["type"]: request["body"] for request in receiver.received}
    assert set(bodies) == {"lesson.completed", "course.completed", "certificate.issued"}
    certificate = pupil.certificates.get()
    issued = bodies["certificate.issued"]
    assert issued["organisation"] == {"slug": school.slug, "name": school.name}
    assert issued["data"]["member"] == {
        "user_id": pupil.pk,
        "username": "mari",
        "email": "mari@example.org",
        "name": "Mari Maasikas",
    }
    assert issued["data"]["course"] == {"id": page.pk, "title": "AI basics", "locale": "en"}
    assert issued["data"]["certificate"]["code"] == certificate.code
    assert issued["data"]["groups"] == [{"id": group.pk, "name": "Class 9B"}]
    assert bodies["lesson.completed"]["data"]["lesson"]["id"] == reading.pk
    for request in receiver.received:
        assert request["headers"]["x-webhook-event"] == request["body"]["type"]
        assert request["headers"]["x-webhook-id"] == request["body"]["id"]

    def all_delivered():
        return set(endpoint.deliveries.values_list("status", flat=True)) == {WebhookDelivery.Status.DELIVERED}

    assert wait_for(all_delivered, timeout=30)
    for delivery in endpoint.deliveries.all():
        (attempt,) = delivery.attempts.all()
        assert (attempt.number, attempt.status_code, attempt.next_retry_at) == (1, 204, None)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failing_receiver_is_retried_with_backoff_until_it_answers(
    celery_worker, receiver, school, settings, wait_for
):
    settings.API_WEBHOOK_RETRY_BASE_SECONDS = 0.5
    group = GroupFactory(organisation=school)
    page, reading = one_lesson_course()
    assign(group, page)
    pupil = learner_in(group, page)
    endpoint = WebhookEndpoint.objects.create(
        organisation=school, url=receiver.url, secret=receiver.secret, events=[Event.COURSE_COMPLETED]
    )
    receiver.fail_next(2)

    record_lesson_visit(user=pupil, lesson=reading)

    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert wait_for(lambda: WebhookDelivery.objects.get(pk=delivery.pk).status == "delivered", timeout=60)
    assert [request["status"] for request in receiver.received] == [500, 500, 204]
    assert len({request["headers"]["x-webhook-id"] for request in receiver.received}) == 1  # one event, three tries
    attempts = list(WebhookAttempt.objects.filter(delivery=delivery))
    assert [(a.number, a.status_code, a.response_excerpt) for a in attempts] == [
        (1, 500, "receiver is down"),
        (2, 500, "receiver is down"),
        (3, 204, ""),
    ]
    waits = [(a.next_retry_at - a.attempted_at).total_seconds() for a in attempts[:2]]
    assert 0.4 < waits[0] < waits[1] < 1.5 and attempts[2].next_retry_at is None  # 0.5 s, then 1 s
    assert attempts[1].attempted_at >= attempts[0].next_retry_at - datetime.timedelta(milliseconds=50)
    delivery.refresh_from_db()
    assert delivery.attempt_count == 3 and delivery.delivered_at and delivery.next_attempt_at is None


@pytest.mark.django_db
def test_a_delivery_gives_up_after_the_last_attempt(class_9b, settings):
    settings.API_WEBHOOK_MAX_ATTEMPTS = 2
    endpoint = WebhookEndpoint.objects.create(
        organisation=class_9b.organisation, url="http://127.0.0.1:9/nothing-listens", events=ALL_EVENTS
    )
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event=Event.COURSE_COMPLETED, body="{}")
    assert attempt_delivery(delivery.pk) == settings.API_WEBHOOK_RETRY_BASE_SECONDS
    assert attempt_delivery(delivery.pk) is None
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempt_count == 2
    attempts = list(delivery.attempts.all())
    assert all(attempt.status_code is None and "ConnectError" in attempt.error for attempt in attempts)
    assert attempts[0].next_retry_at and attempts[1].next_retry_at is None
    assert attempt_delivery(delivery.pk) is None and delivery.attempts.count() == 2  # nothing more once given up


@pytest.mark.django_db
def test_without_a_broker_a_failed_delivery_is_not_retried(class_9b, django_capture_on_commit_callbacks):
    """Tasks run in the learner's request then; waiting for retries there would hold it up."""
    page, reading = one_lesson_course()
    assign(class_9b, page)
    pupil = learner_in(class_9b, page)
    WebhookEndpoint.objects.create(
        organisation=class_9b.organisation, url="http://127.0.0.1:9/", events=[Event.COURSE_COMPLETED]
    )
    with django_capture_on_commit_callbacks(execute=True):
        record_lesson_visit(user=pupil, lesson=reading)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts.get().next_retry_at is None


@pytest.mark.django_db
def test_old_deliveries_and_those_about_a_deleted_account_are_deleted(class_9b, settings):
    endpoint = WebhookEndpoint.objects.create(
        organisation=class_9b.organisation, url="http://127.0.0.1:9/", events=ALL_EVENTS
    )
    pupil = UserFactory()
    old = WebhookDelivery.objects.create(endpoint=endpoint, event=Event.COURSE_COMPLETED, body="{}")
    WebhookDelivery.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=settings.API_WEBHOOK_RETENTION_DAYS + 1)
    )
    recent = WebhookDelivery.objects.create(endpoint=endpoint, event=Event.COURSE_COMPLETED, body="{}")
    about_pupil = WebhookDelivery.objects.create(
        endpoint=endpoint, event=Event.COURSE_COMPLETED, body="{}", member=pupil
    )
    assert delete_old_deliveries() >= 1
    pupil.delete()
    assert list(WebhookDelivery.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not WebhookDelivery.objects.filter(pk__in=[old.pk, about_pupil.pk]).exists()


@pytest.mark.django_db
def test_the_admin_registers_endpoints_and_shows_each_attempt_to_those_allowed(client, class_9b):
    endpoint = WebhookEndpoint.objects.create(
        organisation=class_9b.organisation, url="https://sis.example.org/hooks", events=ALL_EVENTS
    )
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event=Event.COURSE_COMPLETED, body='{"id": "x"}')
    WebhookAttempt.objects.create(
        delivery=delivery, number=1, status_code=503, response_excerpt="maintenance", next_retry_at=timezone.now()
    )
    endpoints = reverse("webhook_endpoints:index")
    inspect = reverse("webhook_deliveries:inspect", args=[delivery.pk])

    client.force_login(UserFactory(is_staff=True))  # staff, but without the webhook permissions
    assert client.get(endpoints).status_code in (302, 403)
    assert client.get(inspect).status_code in (302, 403)

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert "sis.example.org" in client.get(endpoints).content.decode()
    html = client.get(inspect).content.decode()
    assert "503" in html and "maintenance" in html
    assert client.get(reverse("webhook_deliveries:add")).status_code in (302, 403)  # the system writes these
    assert client.get(reverse("webhook_deliveries:edit", args=[delivery.pk])).status_code in (302, 403)

    response = client.post(
        reverse("webhook_endpoints:add"),
        {
            "organisation": class_9b.organisation.pk,
            "url": "https://hr.example.org/events",
            "description": "HR",
            "events": [Event.CERTIFICATE_ISSUED],
            "secret": "a-long-shared-secret",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    added = WebhookEndpoint.objects.get(url="https://hr.example.org/events")
    assert added.events == [Event.CERTIFICATE_ISSUED] and added.secret == "a-long-shared-secret"
