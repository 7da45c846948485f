"""A learner's conversations with the tutor: one running conversation per user and lesson.

Writes (services) and reads (selectors) of ``Conversation`` and ``Message``. Every read is scoped
to the owner: a message id from someone else's conversation is simply not found, so the views
answer 404 without telling whether it exists.
"""

from django.db import transaction
from django.utils import timezone

from tutor.models import Conversation, Message

HISTORY_MESSAGES = 12  # the most the prompt could use; tutor.answering.prompts trims to its token budget
PANEL_MESSAGES = 50


# -- selectors ---------------------------------------------------------------------------------


def current_conversation(user, lesson):
    """The user's latest conversation on this lesson, or None."""
    return Conversation.objects.filter(user=user, lesson_id=lesson.pk).order_by("-updated_at", "-id").first()


def panel_messages(user, lesson):
    """The messages the panel shows (oldest first) of the user's conversation on this lesson."""
    conversation = current_conversation(user, lesson)
    if conversation is None:
        return []
    latest = conversation.messages.order_by("-created_at", "-id")[:PANEL_MESSAGES]
    return list(reversed(latest))


def prompt_history(conversation, *, before):
    """Earlier turns for the prompt, oldest first: questions and the tutor's complete answers."""
    messages = (
        conversation.messages.filter(id__lt=before.id)
        .exclude(role=Message.Role.TUTOR, status__in=[Message.Status.FAILED, Message.Status.PENDING])
        .exclude(text="")
        .order_by("-created_at", "-id")[:HISTORY_MESSAGES]
    )
    return list(reversed(messages))


def owned_tutor_message(user, message_id):
    """The tutor's message ``message_id`` in one of ``user``'s conversations; raises Message.DoesNotExist."""
    return Message.objects.get(pk=message_id, role=Message.Role.TUTOR, conversation__user=user)


# -- services ----------------------------------------------------------------------------------


def ask(user, lesson, text):
    """Save the learner's question (in the current conversation, or a new one) before anything else."""
    with transaction.atomic():
        conversation = current_conversation(user, lesson) or Conversation.objects.create(user=user, lesson=lesson)
        question = conversation.messages.create(role=Message.Role.LEARNER, text=text)
        Conversation.objects.filter(pk=conversation.pk).update(updated_at=timezone.now())
    return conversation, question


def start_reply(conversation, *, mode, model=""):
    return conversation.messages.create(role=Message.Role.TUTOR, status=Message.Status.PENDING, mode=mode, model=model)


def finish_reply(reply, *, status, text, sources=(), usage=None, latency_ms=None, error=""):
    """Store how the answer ended: text so far, sources, token counts, latency and any error.

    ``reply.mode`` and ``reply.model`` are saved as the caller last set them (coaching, the model
    that actually streamed)."""
    reply.status = status
    reply.text = text
    reply.sources = list(sources)
    reply.error = error
    reply.latency_ms = latency_ms
    if usage is not None:
        reply.prompt_tokens, reply.completion_tokens = usage.prompt_tokens, usage.completion_tokens
    reply.save(
        update_fields=[
            "status",
            "text",
            "sources",
            "error",
            "latency_ms",
            "mode",
            "model",
            "prompt_tokens",
            "completion_tokens",
        ]
    )
    return reply


def rate(user, message_id, rating):
    """Thumbs up (1) or down (-1) on one of the user's tutor messages; 0 clears it."""
    if rating not in (1, -1, 0):
        raise ValueError("rating must be 1, -1 or 0")
    message = owned_tutor_message(user, message_id)
    message.rating = rating or None
    message.save(update_fields=["rating"])
    return message
