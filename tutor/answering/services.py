"""Answer a learner's question about a lesson: the service behind the tutor panel.

``start()`` runs before any byte is sent: it saves the question (so nothing the learner typed is
ever lost), then asks oversight whether the budget allows an answer (``BudgetExhausted`` → the view
answers 429; the question stays saved, with a failed reply saying why). ``Answer.events()`` then
yields the streamed answer as events -- ``meta``, ``token``..., ``sources``, ``done`` or ``error``:

screen the question (oversight) → retrieve what this user may see, current lesson first → coach
instead of answer when the question asks for an open quiz's answers → stream from the chat model
(or, with no model configured, compose labelled course excerpts) → store the reply with its
numbered sources, token counts, model and latency.

The reply is stored however the stream ends: complete; failed (endpoint down, timeout, 429, 5xx, a
malformed or broken stream: the learner gets a clear message, the error is kept); or interrupted
(the learner went away: the generator is closed, ``finally`` keeps the partial text).
"""

import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tutor.answering import conversations, llm
from tutor.answering.prompts import build_messages, numbered_sources, tutor_style
from tutor.answering.quiz_guard import open_quizzes, quiz_answer_request
from tutor.answering.rendering import render_answer
from tutor.indexing.embeddings import EmbeddingError
from tutor.models import Message
from tutor.oversight import budgets, safety
from tutor.retrieval import retrieve

logger = logging.getLogger(__name__)

SOURCE_LIMIT = 6
EXCERPT_LIMIT = 3
EXCERPT_WORDS = 70
EXCERPT_MIN_SIMILARITY = 0.80  # below this an excerpt is noise (multilingual-e5 cosines sit high: on-topic ≈ 0.85)

SEARCH_FAILED = gettext_lazy(
    "The tutor can't search the course right now. Your question is saved; please try again later."
)
SOMETHING_FAILED = gettext_lazy("Something went wrong while answering. Your question is saved; please try again.")
EXCERPTS_INTRO = gettext_lazy(
    "**Course excerpts** (no AI model is set up here, so these are the passages of the course "
    "that best match your question, not a written answer):"
)
NOT_COVERED = gettext_lazy(
    "The course doesn't seem to cover this question. Try asking it another way, or ask your teacher."
)


@dataclass(frozen=True)
class Event:
    name: str  # meta | token | sources | done | error
    data: dict


@dataclass
class Answer:
    """A saved question waiting for its streamed reply."""

    user: object
    lesson: object
    course: object
    question: Message
    reply: Message
    offline: bool
    language: str = "en"  # the learner's: answers, messages and retrieval preference follow it
    started: float = field(default_factory=time.monotonic)

    def events(self):
        return _answer_events(self)


def start(user, lesson, text):
    """Save the question and an empty reply; raises ``budgets.BudgetExhausted`` (question kept)."""
    conversation, question = conversations.ask(user, lesson, text)
    try:
        budgets.check_budget(user)
    except budgets.BudgetExhausted as exhausted:
        reply = conversations.start_reply(conversation, mode="")
        conversations.finish_reply(reply, status=Message.Status.FAILED, text="", error=exhausted.message)
        safety.screen_message(question)  # out of budget is no reason to miss a cry for help
        raise
    model = llm.chat_model()
    reply = conversations.start_reply(
        conversation, mode=Message.Mode.LLM if model else Message.Mode.EXCERPTS, model=model
    )
    course = lesson.get_parent().specific
    language = translation.get_language() or settings.LANGUAGE_CODE
    return Answer(
        user=user, lesson=lesson, course=course, question=question, reply=reply, offline=not model, language=language
    )


def _answer_events(answer):
    with translation.override(answer.language):
        yield from _events_in_language(answer)


def _events_in_language(answer):
    reply = answer.reply
    parts, citations, stream, finished = [], [], None, False
    try:
        yield Event(
            "meta",
            {
                "conversation": reply.conversation_id,
                "question": answer.question.id,
                "reply": reply.id,
                "offline": answer.offline,
            },
        )
        safety.screen_message(answer.question)
        quiz_match = quiz_answer_request(answer.question.text, open_quizzes(answer.lesson, answer.user))
        query = answer.question.text
        if quiz_match is not None:
            reply.mode = Message.Mode.COACHING
            if quiz_match.question:  # "answer to question 2" says nothing of its topic; the prompt does
                query = f"{quiz_match.question.prompt}\n{query}"
        chunks = retrieve(
            query,
            user=answer.user,
            lesson=answer.lesson,
            course=answer.course,
            limit=SOURCE_LIMIT,
            language=answer.language,
        )
        if answer.offline:
            text, sources = _offline_reply(answer, chunks, quiz_match)
            parts.append(text)
            usage = None
            yield Event("token", {"text": text})
        else:
            sources = numbered_sources(chunks)
            messages = build_messages(
                question=answer.question.text,
                sources=sources,
                history=conversations.prompt_history(reply.conversation, before=answer.question),
                style=tutor_style(answer.user, answer.course),
                course_title=answer.course.title,
                lesson_title=answer.lesson.title,
                quiz_match=quiz_match,
                language=answer.language,
            )
            stream = llm.stream_chat(messages)
            for delta in stream:
                parts.append(delta)
                yield Event("token", {"text": delta})
            usage = stream.usage
            reply.model = stream.model
        citations = [source.as_citation() for source in sources]
        _finish(answer, Message.Status.COMPLETE, parts, citations, usage=usage)
        finished = True
        yield Event("sources", {"sources": citations})
        yield Event("done", _done(answer, parts, citations))
    except llm.TutorUnavailable as failure:
        _finish(answer, Message.Status.FAILED, parts, citations, error=failure.detail)
        finished = True
        yield Event("error", {"message": failure.message, "reply": reply.id})
    except EmbeddingError as failure:
        _finish(answer, Message.Status.FAILED, parts, citations, error=str(failure))
        finished = True
        yield Event("error", {"message": str(SEARCH_FAILED), "reply": reply.id})
    except Exception as failure:
        logger.exception("Answering question %s failed", answer.question.id)
        _finish(answer, Message.Status.FAILED, parts, citations, error=f"{type(failure).__name__}: {failure}")
        finished = True
        yield Event("error", {"message": str(SOMETHING_FAILED), "reply": reply.id})
    finally:
        if stream is not None:
            stream.close()
        if not finished:  # closed by the server because the learner went away (GeneratorExit)
            _finish(answer, Message.Status.INTERRUPTED, parts, citations, error="The learner left before the end.")


def _finish(answer, status, parts, citations, *, usage=None, error=""):
    conversations.finish_reply(
        answer.reply,
        status=status,
        text="".join(parts),
        sources=citations,
        usage=usage,
        latency_ms=round((time.monotonic() - answer.started) * 1000),
        error=error,
    )


def _done(answer, parts, citations):
    reply = answer.reply
    return {
        "reply": reply.id,
        "status": reply.status,
        "mode": reply.mode,
        "offline": answer.offline,
        "html": render_answer("".join(parts), citations),
    }


def _offline_reply(answer, chunks, quiz_match):
    """Without a chat model: a coaching note, or the best excerpts, each with its citation."""
    if quiz_match is not None:
        in_lesson = [chunk for chunk in chunks if chunk.page_id == answer.lesson.pk] or chunks
        sources = numbered_sources(in_lesson[:1])
        return _coaching_offline(quiz_match, sources), sources
    relevant = [chunk for chunk in chunks if chunk.similarity is None or chunk.similarity >= EXCERPT_MIN_SIMILARITY]
    sources = numbered_sources(relevant)[:EXCERPT_LIMIT]
    if not sources:
        return str(NOT_COVERED), []
    quotes = [f"> {_shorten(source.text)} [{source.number}]{_in_other_language(source)}" for source in sources]
    return "\n\n".join([str(EXCERPTS_INTRO), *quotes]), sources


def _in_other_language(source):
    """ " (in English)" after an excerpt that is not in the learner's language."""
    if not source.language or source.language == translation.get_language():
        return ""
    name = translation.get_language_info(source.language)["name_translated"]
    return " " + _("(in %(language)s)") % {"language": name}


def _coaching_offline(quiz_match, sources):
    if sources:
        where = _("the section **%(section)s** [1]") % {"section": sources[0].section or sources[0].title}
    else:
        where = _("the lesson")
    if quiz_match.question:
        opening = _("That looks like question %(number)s of the quiz **%(quiz)s**") % {
            "number": quiz_match.question.number,
            "quiz": quiz_match.quiz.title,
        }
    else:
        opening = _("That looks like a question of the quiz **%(quiz)s**") % {"quiz": quiz_match.quiz.title}
    return _(
        "%(opening)s, which you haven't submitted yet, so I won't give you the answer. You can work it "
        "out: re-read %(where)s and then try the question again. If you're still stuck, ask your teacher."
    ) % {"opening": opening, "where": where}


def _shorten(text):
    words = " ".join(text.split()).split(" ")
    return " ".join(words[:EXCERPT_WORDS]) + (" …" if len(words) > EXCERPT_WORDS else "")
