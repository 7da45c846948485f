"""Oversight writes: every reading of a learner's conversation is logged, flags are marked reviewed."""

from django.utils import timezone

from tutor.models import ConversationAccess


def read_conversation(reader, organisation, conversation):
    """Log that ``reader`` read ``conversation`` on behalf of ``organisation``; return its messages.

    The reader's name and e-mail are copied onto the log row so it outlives their account.
    """
    ConversationAccess.objects.create(
        conversation=conversation,
        reader=reader,
        reader_name=reader.get_full_name() or reader.get_username(),
        reader_email=reader.email,
        organisation=organisation,
    )
    return conversation.messages.prefetch_related("safety_flags")


def review_flag(reader, flag):
    """Mark a flag (one of ``flags_for_reader``) as reviewed by ``reader``; reviewing twice keeps the first."""
    if flag.reviewed_at is None:
        flag.reviewed_by = reader
        flag.reviewed_at = timezone.now()
        flag.save(update_fields=["reviewed_by", "reviewed_at"])
    return flag
