"""Learner panels that the course and lesson page templates include.

``{% load learning %}`` then ``{% course_learning_panel page %}``, ``{% lesson_learning_panel page %}``,
``{% reflection_note_form page block_id value %}`` and ``{% quiz_form page block_id value %}``.
They read ``request.user`` from the template context and never write: the lesson visit is
recorded by a ``before_serve_page`` hook (lessons/wagtail_hooks.py), and a quiz draw is computed,
not stored, until the learner submits (lessons.learning.selectors.next_attempt).
"""

from django import template

from lessons.learning import selectors
from lessons.learning.forms import ReflectionNoteForm
from lessons.learning.quizzes import ANSWER_FIELD_PREFIX, pool_size, shown_questions

register = template.Library()


def current_user(context):
    request = context.get("request")
    return getattr(request, "user", None)


def is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


@register.inclusion_tag("lessons/includes/course_learning_panel.html", takes_context=True)
def course_learning_panel(context, page):
    """Enrol button, or progress with a continue link and the certificate once complete."""
    user = current_user(context)
    signed_in = is_signed_in(user)
    progress = selectors.course_progress(user, page) if signed_in else None
    return {"request": context.get("request"), "course": page, "signed_in": signed_in, "progress": progress}


@register.inclusion_tag("lessons/includes/lesson_learning_panel.html", takes_context=True)
def lesson_learning_panel(context, page, swap_out_of_band=False):
    """This lesson's status for the learner, an enrol prompt, and the next lesson link.

    ``swap_out_of_band`` marks it for htmx to replace the panel already on the page (after a quiz).
    """
    user = current_user(context)
    signed_in = is_signed_in(user)
    course = page.get_parent().specific
    progress = selectors.course_progress(user, course) if signed_in else None
    if progress:  # it has read the course's lessons already
        lessons = [status.lesson for status in progress.lessons]
    else:
        lessons = list(course.lessons().defer_streamfields())
    position = next((index for index, lesson in enumerate(lessons) if lesson.id == page.id), None)
    following = lessons[position + 1] if position is not None and position + 1 < len(lessons) else None
    return {
        "request": context.get("request"),
        "lesson": page,
        "course": course,
        "signed_in": signed_in,
        "progress": progress,
        "status": progress.status_of(page) if progress else None,
        "next_lesson": following,
        "position": position + 1 if position is not None else None,
        "lesson_count": len(lessons),
        "swap_out_of_band": swap_out_of_band,
    }


@register.inclusion_tag("lessons/includes/reflection_note_form.html", takes_context=True)
def reflection_note_form(context, page, block_id, value):
    """The learner's note for a reflection prompt (enrolled learners only)."""
    user = current_user(context)
    signed_in = is_signed_in(user)
    enrolled = signed_in and selectors.is_enrolled(user, page.get_parent().id)
    note = selectors.reflection_note(user, page, block_id) if enrolled else None
    form = ReflectionNoteForm(initial={"text": note.text if note else ""}, auto_id=f"note-{block_id}-%s")
    return {
        "request": context.get("request"),
        "lesson": page,
        "block_id": block_id,
        "prompt": value["prompt"],
        "signed_in": signed_in,
        "enrolled": enrolled,
        "note": note,
        "form": form,
    }


def quiz_form_context(*, request, lesson, quiz_block_id, quiz, selected=(), error=""):
    """What the quiz form needs: the learner's next draw of prompts and options, never correctness or feedback."""
    user = getattr(request, "user", None)
    signed_in = is_signed_in(user)
    enrolled = signed_in and selectors.is_enrolled(user, lesson.get_parent().id)
    upcoming = selectors.next_attempt(user, lesson, quiz_block_id, quiz)
    questions = [
        {
            "id": question_id,
            "field": ANSWER_FIELD_PREFIX + question_id,
            "prompt": question["prompt"],
            "multiple": question["kind"] == "multiple",
            "options": [
                {"id": option_id, "text": option["text"], "checked": option_id in selected}
                for option_id, option in options
            ],
        }
        for question_id, question, options in shown_questions(quiz, upcoming.layout)
    ]
    return {
        "request": request,
        "lesson": lesson,
        "quiz_block_id": quiz_block_id,
        "title": quiz["title"],
        "pass_mark": quiz["pass_mark"],
        "questions": questions,
        "pool_size": pool_size(quiz),
        "attempt": upcoming,
        "signed_in": signed_in,
        "enrolled": enrolled,
        "latest_attempt": selectors.latest_attempt(user, lesson, quiz_block_id) if enrolled else None,
        "passed": enrolled and selectors.passed_quiz(user, lesson, quiz_block_id),
        "error": error,
    }


@register.inclusion_tag("lessons/includes/quiz_form.html", takes_context=True)
def quiz_form(context, page, block_id, value):
    return quiz_form_context(request=context.get("request"), lesson=page, quiz_block_id=block_id, quiz=value)
