"""Reflection notes: a learner's answer to a reflection prompt, kept in their notes."""

from lessons.models import LessonPage, ReflectionNote
from lessons.selectors import is_enrolled


class ReflectionNotFound(LookupError):
    """No reflection block with that id in the lesson."""


def reflection_prompt(lesson: LessonPage, block_id: str) -> str:
    for block in lesson.body:
        if block.block_type == "reflection" and block.id == block_id:
            return block.value["prompt"]
    raise ReflectionNotFound("This lesson has no such reflection prompt.")


def save_reflection_note(*, user, lesson: LessonPage, block_id: str, text: str) -> ReflectionNote:
    """Create or update the learner's note; the prompt is copied so the dashboard can show it."""
    if not is_enrolled(user, lesson.get_parent().id):
        raise PermissionError("Enrol in this course to keep notes on its lessons.")
    prompt = reflection_prompt(lesson, block_id)
    note, _created = ReflectionNote.objects.update_or_create(
        user=user, lesson=lesson, block_id=block_id, defaults={"prompt": prompt, "text": text}
    )
    return note
