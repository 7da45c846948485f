"""Learner panels that the course and lesson page templates include.

``{% load learning %}`` then ``{% course_learning_panel page %}``, ``{% lesson_learning_panel page %}``,
``{% reflection_note_form page block_id value %}`` and ``{% quiz_form page block_id value %}``.
They read ``request.user`` from the template context and never write: the lesson visit is
recorded by ``LessonPage.get_context`` through ``lessons.learning.services.record_visit_from_request``.
"""

from django import template

from lessons.learning import selectors
from lessons.learning.forms import ReflectionNoteForm
from lessons.learning.quizzes import ANSWER_FIELD_PREFIX, questions_of

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
def lesson_learning_panel(context, page):
    """This lesson's status for the learner, an enrol prompt, and the next lesson link."""
    user = current_user(context)
    signed_in = is_signed_in(user)
    course = page.get_parent().specific
    progress = selectors.course_progress(user, course) if signed_in else None
    lessons = list(course.lessons())
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
    """What the quiz form needs: prompts, option texts and ids, never correctness or feedback."""
    user = getattr(request, "user", None)
    signed_in = is_signed_in(user)
    enrolled = signed_in and selectors.is_enrolled(user, lesson.get_parent().id)
    questions = [
        {
            "id": question_id,
            "field": ANSWER_FIELD_PREFIX + question_id,
            "prompt": question["prompt"],
            "multiple": question["kind"] == "multiple",
            "options": [
                {"id": option_id, "text": option["text"], "checked": option_id in selected}
                for option_id, option in options.items()
            ],
        }
        for question_id, question, options in questions_of(quiz)
    ]
    return {
        "request": request,
        "lesson": lesson,
        "quiz_block_id": quiz_block_id,
        "title": quiz["title"],
        "pass_mark": quiz["pass_mark"],
        "questions": questions,
        "signed_in": signed_in,
        "enrolled": enrolled,
        "latest_attempt": selectors.latest_attempt(user, lesson, quiz_block_id) if enrolled else None,
        "passed": enrolled and selectors.passed_quiz(user, lesson, quiz_block_id),
        "error": error,
    }


@register.inclusion_tag("lessons/includes/quiz_form.html", takes_context=True)
def quiz_form(context, page, block_id, value):
    return quiz_form_context(request=context.get("request"), lesson=page, quiz_block_id=block_id, quiz=value)
