"""Tutor conversations are deleted TUTOR_CONVERSATION_RETENTION_DAYS after their last message, by Celery beat."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from cms.celery import app
from tests import factories as f
from tutor.models import Conversation, Message
from tutor.personal_data import delete_expired_conversations
from tutor.tasks import delete_expired_conversations_task


def conversation_last_active(days_ago, user=None):
    message = f.question(user or f.UserFactory(), f"asked {days_ago} days ago")
    Conversation.objects.filter(pk=message.conversation_id).update(updated_at=timezone.now() - timedelta(days=days_ago))
    return message.conversation


@pytest.mark.django_db
def test_conversations_past_the_retention_period_are_deleted_and_recent_ones_kept(settings):
    settings.TUTOR_CONVERSATION_RETENTION_DAYS = 30
    old, edge, recent = conversation_last_active(31), conversation_last_active(29), conversation_last_active(0)
    f.reply(Message.objects.get(conversation=old))
    assert delete_expired_conversations() == 1
    assert set(Conversation.objects.values_list("pk", flat=True)) == {edge.pk, recent.pk}
    assert not Message.objects.filter(conversation_id=old.pk).exists()


@pytest.mark.django_db
def test_deletion_goes_in_batches_until_none_is_left(settings):
    settings.TUTOR_CONVERSATION_RETENTION_DAYS = 365
    for _ in range(5):
        conversation_last_active(400)
    kept = conversation_last_active(10)
    assert delete_expired_conversations(batch_size=2) == 5
    assert list(Conversation.objects.values_list("pk", flat=True)) == [kept.pk]


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_task_runs_on_a_real_worker(celery_worker):
    old, recent = conversation_last_active(400), conversation_last_active(1)
    result = delete_expired_conversations_task.delay()
    assert result.get(timeout=30) == {"deleted": 1}
    assert list(Conversation.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not Conversation.objects.filter(pk=old.pk).exists()


def test_celery_beat_runs_the_task_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["tutor-delete-expired-conversations"]
    app.loader.import_default_modules()
    assert entry["task"] == delete_expired_conversations_task.name
    assert entry["task"] in app.tasks
    assert entry["schedule"].remaining_estimate(timezone.now()) <= timedelta(days=1)


def test_the_default_period_is_a_year(settings):
    assert settings.TUTOR_CONVERSATION_RETENTION_DAYS == 365


@pytest.mark.django_db
def test_the_command_does_the_same_for_sites_without_a_broker(settings, capsys):
    settings.TUTOR_CONVERSATION_RETENTION_DAYS = 30
    conversation_last_active(45)
    call_command("tutor_delete_expired_conversations")
    assert "Deleted 1 conversation(s) older than 30 days." in capsys.readouterr().out
    assert not Conversation.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("days, text", [(365, "deleted 365 days after"), (1, "deleted 1 day after")])
def test_the_tutor_panel_states_the_period(settings, days, text):
    settings.TUTOR_CONVERSATION_RETENTION_DAYS = days
    lesson = f.lesson(f.course("AI basics"), "What AI is", body=[f.paragraph("<p>Phones.</p>")])
    client = Client()
    client.force_login(f.UserFactory())
    html = client.get(lesson.url).content.decode()
    assert f"Your conversations with the tutor are {text} your last question." in html
