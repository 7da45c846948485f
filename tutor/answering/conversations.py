"""A learner's conversations with the tutor: one running conversation per user and lesson.

Writes (services) and reads (selectors) of ``Conversation`` and ``Message``. Every read is scoped
to the owner: a message id from someone else's conversation is simply not found, so the views
answer 404 without telling whether it exists.
"""

from django.db import transaction
from django.utils import timezone

from lessons.models import Assignment, Membership
from tutor.models import Conversation, Message

HISTORY_MESSAGES = 12  # the most the prompt could use; tutor.answering.prompts trims to its token budget
PANEL_MESSAGES = 50


# -- selectors ---------------------------------------------------------------------------------


def current_conversation(user, lesson):
    """The user's latest conversation on this lesson, or None."""
    return Conversation.objects.filter(user=user, lesson_id=lesson.pk).order_by("-updated_at", "-id").first()


def organisation_id_for(user, lesson, course=None):
    """The id of the organisation a conversation of ``user`` on ``lesson`` starts under, or None.

    ``course``: the lesson's course, when the caller has it already (one query fewer).

    Only organisations where ``user`` is a learner in a group count (their teachers are the readers).
    The rule, first match wins:

    1. the one such organisation that assigned the lesson's course (in any translation) to a group
       the user is a learner in;
    2. failing that, the user's one such organisation, if they have exactly one.

    Anything else (no organisation, or several that fit equally) gives None: rather than guess, the
    conversation stays the learner's alone. Migration ``tutor.0007_backfill_conversation_organisation``
    back-fills older conversations with a frozen copy of this rule.
    """
    groups = Membership.objects.filter(user=user, role=Membership.Role.LEARNER, group__isnull=False)
    if lesson is not None:
        course = course or lesson.get_parent()
        assigned = set(
            Assignment.objects.filter(
                group__in=groups.values("group_id"), course__translation_key=course.translation_key
            ).values_list("group__organisation_id", flat=True)
        )
        if len(assigned) == 1:
            return assigned.pop()
        if assigned:
            return None
    organisations = set(groups.values_list("organisation_id", flat=True))
    return organisations.pop() if len(organisations) == 1 else None


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


def ask(user, lesson, text, *, course=None):
    """Save the learner's question (in the current conversation, or a new one) before anything else.

    The current conversation goes on only while it belongs to the organisation the learner would
    start one under now; after joining or leaving a class a new one starts, so a new teacher reads
    what is asked from then on and nothing from before.
    """
    organisation_id = organisation_id_for(user, lesson, course)
    with transaction.atomic():
        conversation = current_conversation(user, lesson)
        if conversation is None or conversation.organisation_id != organisation_id:
            conversation = Conversation.objects.create(user=user, lesson=lesson, organisation_id=organisation_id)
        question = conversation.messages.create(role=Message.Role.LEARNER, text=text)
        Conversation.objects.filter(pk=conversation.pk).update(updated_at=timezone.now())
    return conversation, question


def start_reply(conversation, *, mode, model="", reserved_tokens=0):
    """The pending reply; ``reserved_tokens`` count against the budgets until it is finished."""
    return conversation.messages.create(
        role=Message.Role.TUTOR,
        status=Message.Status.PENDING,
        mode=mode,
        model=model,
        reserved_tokens=reserved_tokens,
    )


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
