"""The tutor's part of a learner's personal data: what they download, what their deletion removes, how long it is kept.

* Download: every conversation with its messages, and every reading of them by a teacher or admin
  (reader's name, organisation, time; the log that ``tutor.oversight`` writes).
* Deleting the account deletes the learner's conversations, and with them their messages, safety
  flags and readings. (Deleting a *reader* keeps the readings, with the name copied onto them.)
* Retention: a conversation is deleted ``TUTOR_CONVERSATION_RETENTION_DAYS`` after its last
  message, by the Celery beat task ``tutor.delete_expired_conversations``.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cms.accounts.personal_data import Section
from tutor.models import Conversation
from tutor.oversight.selectors import readings_of


def lesson_title(conversation) -> str:
    return conversation.lesson.title if conversation.lesson else ""


def conversation_rows(user):
    conversations = (
        Conversation.objects.filter(user=user)
        .select_related("lesson", "organisation")
        .prefetch_related("messages__safety_flags")
        .order_by("created_at", "id")
    )
    return [
        {
            "id": conversation.pk,
            "lesson": lesson_title(conversation),
            "organisation": conversation.organisation.name if conversation.organisation else "",
            "started_at": conversation.created_at,
            "last_message_at": conversation.updated_at,
            "messages": [
                {
                    "role": message.role,
                    "text": message.text,
                    "sent_at": message.created_at,
                    "status": message.status,
                    "mode": message.mode,
                    "sources": message.sources,
                    "rating": message.rating,
                    "safety_flags": [flag.category for flag in message.safety_flags.all()],
                }
                for message in conversation.messages.all()
            ],
        }
        for conversation in conversations
    ]


def tutor_sections(user):
    yield Section(
        "tutor_conversations",
        _("Conversations with the tutor"),
        conversation_rows(user),
        template="tutor/personal_data/conversations.html",
        description=_("Kept for %(days)d days after the last message, then deleted.")
        % {"days": settings.TUTOR_CONVERSATION_RETENTION_DAYS},
    )
    yield Section(
        "tutor_conversation_readings",
        _("Who read your tutor conversations"),
        [
            {
                "conversation_id": reading.conversation_id,
                "lesson": lesson_title(reading.conversation),
                "reader": reading.reader_name,
                "organisation": reading.organisation.name,
                "read_at": reading.accessed_at,
            }
            for reading in readings_of(user).order_by("accessed_at", "id")
        ],
        columns=(
            ("lesson", gettext_lazy("Lesson")),
            ("reader", gettext_lazy("Read by")),
            ("organisation", gettext_lazy("Organisation")),
            ("read_at", gettext_lazy("When")),
        ),
        description=_(
            "Teachers and organisation admins of your classes and teams can read your conversations; "
            "each reading is logged."
        ),
    )


def delete_conversations(user) -> None:
    """All of ``user``'s conversations, with their messages, flags and readings."""
    Conversation.objects.filter(user=user).delete()


def delete_expired_conversations(*, now=None, batch_size=500) -> int:
    """Delete conversations whose last message is older than the retention period; returns how many.

    In batches, so a first run on a large site neither holds one long transaction nor loads every
    message at once; each batch checks the age again, in case a learner wrote meanwhile.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.TUTOR_CONVERSATION_RETENTION_DAYS)
    expired = Conversation.objects.filter(updated_at__lt=cutoff)
    deleted = 0
    while batch := list(expired.values_list("pk", flat=True)[:batch_size]):
        _count, per_model = expired.filter(pk__in=batch).delete()
        deleted += per_model.get(Conversation._meta.label, 0)
    return deleted
