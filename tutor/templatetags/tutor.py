"""The tutor panel's context (the panel is put beside lessons by ``tutor.wagtail_hooks``); safe answer HTML."""

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe

from tutor.answering import conversations, llm
from tutor.answering.rendering import render_answer

register = template.Library()


def tutor_panel_context(context, page):
    """The "Ask the tutor" panel for ``page``: the learner's conversation so far and the question form."""
    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    if not (page.pk and page.live):  # an editor's preview of a draft: nothing to ask about yet
        return {"lesson": page, "unpublished": True}
    return {
        "request": request,
        "user": user,
        "csrf_token": context.get("csrf_token"),
        "lesson": page,
        "signed_in": signed_in,
        "tutor_messages": conversations.panel_messages(user, page) if signed_in else [],
        "offline": not llm.chat_model(),
        "max_chars": settings.TUTOR_MAX_QUESTION_CHARS,
        "retention_days": settings.TUTOR_CONVERSATION_RETENTION_DAYS,
    }


@register.filter
def tutor_answer_html(message):
    """A stored tutor reply as HTML: Markdown with citation links, sanitised by nh3 (hence safe)."""
    return mark_safe(render_answer(message.text, message.sources))  # noqa: S308 - nh3 allowlist output
