"""Answer a learner's question about a lesson: the service behind the tutor panel.

``start()`` runs before any byte is sent: it saves the question (so nothing the learner typed is
ever lost), then reserves the most the answer can cost against the budgets (``reserve_tokens``;
under the budgets' row locks, so concurrent questions cannot all pass) by creating the pending
reply that carries the reservation (``BudgetExhausted`` → the view answers 429; the question stays
saved, with a failed reply saying why). Once the reply ends, its real token usage replaces the
reservation. ``Answer.events()`` then yields the streamed answer as events -- ``meta``,
``token``..., ``sources``, ``done`` or ``error`` -- from an async generator:

screen the question (oversight) → retrieve what this user may see, current lesson first → coach
instead of answer when the question asks for an open quiz's answers → stream from the chat model
(or, with no model configured, compose labelled course excerpts) → store the reply with its
numbered sources, token counts, model and latency.

The reply is stored however the stream ends, with the tokens it used (reported by the server, or
estimated from the prompt and the text so far): complete; failed (endpoint down, timeout, 429, 5xx,
a malformed or broken stream: the learner gets a clear message, the error is kept); or interrupted
(the learner went away: the generator is closed, ``finally`` keeps the partial text; or the answer
was cut short at ``TUTOR_ANSWER_DEADLINE_SECONDS`` or ``TUTOR_MAX_ANSWER_TOKENS``: the partial
answer is shown with its sources and marked as interrupted).

Async, because an answer mostly waits for the model: the stream is read with ``async for`` on the
event loop, so an open answer holds no thread. The database work runs in a few short sync sections
(``sync_to_async``, Django's thread-sensitive mode: the request's own thread and connection):
``start()`` whole (one transaction, so the reservation's lock and check stay together), then the
screening, retrieval and prompt, then the stored reply. The question is embedded in a worker thread
(``begin()`` starts it while ``start()`` saves the question), off the event loop. Between those
sections the connection goes back (``_release_connection``): hundreds of answers waiting for their
model must not hold hundreds of PostgreSQL connections. A learner who leaves cancels the generator
(ASGI) or closes it (WSGI, Django's test client): ``finally`` stores the partial answer either way.
"""

import asyncio
import contextlib
import logging
import os
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tutor.answering import conversations, llm
from tutor.answering.prompts import HISTORY_TOKEN_BUDGET, build_messages, numbered_sources, tutor_style
from tutor.answering.quiz_guard import open_quizzes, quiz_answer_request
from tutor.answering.rendering import render_answer
from tutor.indexing.chunking import MAX_CHUNK_TOKENS, count_tokens
from tutor.indexing.embeddings import EmbeddingError, cached_query_vector, get_provider
from tutor.models import Message
from tutor.oversight import budgets, safety
from tutor.retrieval import retrieve

logger = logging.getLogger(__name__)

SOURCE_LIMIT = 6
EXCERPT_LIMIT = 3
EXCERPT_WORDS = 70
EXCERPT_MIN_SIMILARITY = 0.80  # below this an excerpt is noise (multilingual-e5 cosines sit high: on-topic ≈ 0.85)
# The prompt around sources, history and question: rules about 450 tokens (ru, Socratic), the coaching
# note 90, each source's boundary lines about 40 (measured with count_tokens).
PROMPT_FRAME_TOKENS = 800
# Questions are embedded in these threads, off the event loop: CPU work (the local model releases the
# GIL while it runs), so as many at once as there are cores. A concurrent.futures.Future belongs to
# no event loop, so the view may start one and the stream (in another loop under WSGI) await it.
EMBEDDING_THREADS = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="tutor-embed")

SEARCH_FAILED = gettext_lazy(
    "The tutor can't search the course right now. Your question is saved; please try again later."
)
SOMETHING_FAILED = gettext_lazy("Something went wrong while answering. Your question is saved; please try again.")
EXCERPTS_INTRO = gettext_lazy(
    "**Course excerpts** (no AI model is set up here, so these are the passages of the course "
    "that best match your question, not a written answer):"
)
LEARNER_LEFT = "The learner left before the end."  # the stored error of an answer nobody read to the end
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
    question_vector: "_QueryVector | None" = None  # the question, embedded while it is saved (begin())
    prepared: "_Prepared | None" = None  # the work before the model, done by begin()
    preparation_failure: Exception | None = None  # ... or why it failed, reported by the stream

    def events(self):
        """The streamed answer: an async iterator of ``Event``; closing or cancelling it stores the partial answer."""
        return _answer_events(self)


def reserve_tokens(question_text):
    """The most an answer to this question can cost, known before its prompt is built.

    The prompt's frame, every source at its largest, the full history budget and the question, plus
    the longest answer the model may write; counted with the estimator that reconciles usage.
    """
    prompt = PROMPT_FRAME_TOKENS + SOURCE_LIMIT * MAX_CHUNK_TOKENS + HISTORY_TOKEN_BUDGET + count_tokens(question_text)
    return prompt + settings.TUTOR_MAX_ANSWER_TOKENS


async def begin(user, lesson, text):
    """Everything before the model is asked, while a worker thread embeds the question.

    ``start()`` as one database section (the question saved, the reply reserved), then ``_prepare``
    (screening, retrieval, the prompt) as another, so that the caller can admit a few answers at a
    time up to the moment their model request goes out (the ask view does). A failure of the
    preparation is kept on the answer and reported by its stream, as it would be from there.

    A learner who leaves meanwhile (the request is cancelled) cannot stop a section once begun, so
    it is awaited to the end and the reply ended as interrupted, which gives the reservation back.
    """
    vector = _embed_soon(text)
    saving = asyncio.ensure_future(sync_to_async(start)(user, lesson, text))
    try:
        answer = await asyncio.shield(saving)
    except asyncio.CancelledError:
        vector.cancel()
        with contextlib.suppress(budgets.BudgetExhausted):  # refused: its reply has already failed
            await _interrupted(await saving)
        raise
    except BaseException:
        vector.cancel()
        raise
    answer.question_vector = vector
    preparing = asyncio.ensure_future(sync_to_async(_prepare)(answer, vector))
    try:
        answer.prepared = await asyncio.shield(preparing)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):  # whatever it prepared is not needed any more
            await preparing
        await _interrupted(answer)
        raise
    except Exception as failure:
        answer.preparation_failure = failure
    return answer


async def _interrupted(answer):
    await sync_to_async(_finish)(answer, Message.Status.INTERRUPTED, [], [], error=LEARNER_LEFT)


def start(user, lesson, text):
    """Save the question and a pending reply holding the answer's reservation, in one transaction.

    One commit instead of two, and the question is stored either way: the reservation's check
    raises before its own writes. Raises ``budgets.BudgetExhausted`` (question kept, with a failed
    reply saying why).
    """
    model = llm.chat_model()
    reserved = reserve_tokens(text) if model else 0  # course excerpts cost no tokens
    course = lesson.get_parent().specific
    with transaction.atomic():
        conversation, question = conversations.ask(user, lesson, text, course=course)
        try:
            with budgets.reservation(user, tokens=reserved):
                reply = conversations.start_reply(
                    conversation,
                    mode=Message.Mode.LLM if model else Message.Mode.EXCERPTS,
                    model=model,
                    reserved_tokens=reserved,
                )
        except budgets.BudgetExhausted as exhausted:
            reply = conversations.start_reply(conversation, mode="")
            conversations.finish_reply(reply, status=Message.Status.FAILED, text="", error=exhausted.message)
            refused = exhausted
        else:
            refused = None
    if refused is not None:
        safety.screen_message(question)  # out of budget is no reason to miss a cry for help (after the commit)
        raise refused
    language = translation.get_language() or settings.LANGUAGE_CODE
    return Answer(
        user=user, lesson=lesson, course=course, question=question, reply=reply, offline=not model, language=language
    )


@dataclass(frozen=True)
class _Prepared:
    """What the answer needs once the database work before the model is done."""

    sources: list
    messages: list | None = None  # the chat model's prompt; None offline
    offline_text: str = ""


@dataclass(frozen=True)
class _QueryVector:
    """A provider for ``retrieve()`` whose query vector is being made in a worker thread (``_embed_soon``).

    Retrieval asks for the vector only once its keyword query is done, so the embedding overlaps
    that too, not only the saving of the question.
    """

    model_name: str
    vector: Future

    def embed_query(self, text):
        return self.vector.result()

    def cancel(self):
        self.vector.cancel()


def _embed_soon(text):
    """``text``'s query vector on its way (a ``_QueryVector``): cached, or embedded in ``EMBEDDING_THREADS``."""
    provider = get_provider()
    return _QueryVector(provider.model_name, EMBEDDING_THREADS.submit(cached_query_vector, provider, text))


async def _answer_events(answer):
    with translation.override(answer.language):
        reply = answer.reply
        parts, citations, stream, finished = [], [], None, False
        status, error = Message.Status.COMPLETE, ""
        question_vector = answer.question_vector or _embed_soon(answer.question.text)
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
            if answer.preparation_failure is not None:
                raise answer.preparation_failure
            prepared = answer.prepared or await sync_to_async(_prepare)(answer, question_vector)
            sources = prepared.sources
            if answer.offline:
                parts.append(prepared.offline_text)
                yield Event("token", {"text": prepared.offline_text})
            else:
                deadline = answer.started + settings.TUTOR_ANSWER_DEADLINE_SECONDS
                stream = await llm.stream_chat(prepared.messages, deadline=deadline)
                async for delta in stream:
                    parts.append(delta)
                    yield Event("token", {"text": delta})
                reply.model = stream.model
                status, error = _cut_short(stream)
            citations = [source.as_citation() for source in sources]
            await sync_to_async(_finish)(answer, status, parts, citations, stream, error=error)
            finished = True
            yield Event("sources", {"sources": citations})
            yield Event("done", _done(answer, parts, citations))
        except llm.TutorUnavailable as failure:
            await sync_to_async(_finish)(answer, Message.Status.FAILED, parts, citations, stream, error=failure.detail)
            finished = True
            yield Event("error", {"message": failure.message, "reply": reply.id})
        except EmbeddingError as failure:
            await sync_to_async(_finish)(answer, Message.Status.FAILED, parts, citations, stream, error=str(failure))
            finished = True
            yield Event("error", {"message": str(SEARCH_FAILED), "reply": reply.id})
        except Exception as failure:
            logger.exception("Answering question %s failed", answer.question.id)
            error = f"{type(failure).__name__}: {failure}"
            await sync_to_async(_finish)(answer, Message.Status.FAILED, parts, citations, stream, error=error)
            finished = True
            yield Event("error", {"message": str(SOMETHING_FAILED), "reply": reply.id})
        finally:
            question_vector.cancel()  # not started yet only if the answer ended before retrieval
            if stream is not None:
                await stream.aclose()
            if not finished:  # the learner went away: cancelled (ASGI) or closed (GeneratorExit)
                await sync_to_async(_finish)(
                    answer, Message.Status.INTERRUPTED, parts, citations, stream, error=LEARNER_LEFT
                )


def _prepare(answer, question_vector):
    """All the work between the saved question and the model, in one sync section (one hop off the event loop).

    Screen the question (oversight); coach instead of answer when it asks for an open quiz's
    answers; retrieve with the question's vector from ``question_vector`` (a worker thread's, begun
    while the question was saved); build the prompt and give the connection back -- or compose the
    offline reply.
    """
    safety.screen_message(answer.question)
    quiz_match = quiz_answer_request(answer.question.text, open_quizzes(answer.lesson, answer.user))
    query = answer.question.text
    if quiz_match is not None:
        answer.reply.mode = Message.Mode.COACHING
        if quiz_match.question:  # "answer to question 2" says nothing of its topic; the quiz's prompt does
            query = f"{quiz_match.question.prompt}\n{query}"
    embedded = question_vector if query == answer.question.text else _embed_soon(query)
    chunks = retrieve(
        query,
        user=answer.user,
        lesson=answer.lesson,
        course=answer.course,
        limit=SOURCE_LIMIT,
        language=answer.language,
        provider=embedded,
    )
    if answer.offline:
        text, sources = _offline_reply(answer, chunks, quiz_match)
        return _Prepared(sources, offline_text=text)
    sources = numbered_sources(chunks)
    messages = build_messages(
        question=answer.question.text,
        sources=sources,
        history=conversations.prompt_history(answer.reply.conversation, before=answer.question),
        style=tutor_style(answer.user, answer.course),
        course_title=answer.course.title,
        lesson_title=answer.lesson.title,
        quiz_match=quiz_match,
        language=answer.language,
    )
    _release_connection()
    return _Prepared(sources, messages)


def _release_connection():
    """Close this thread's database connection unless a transaction holds it (then it is the caller's).

    Called before the answer waits for its model: the stream may take a minute, and a connection per
    open answer would run PostgreSQL out of connections. The stored reply opens a fresh one.
    """
    if not connection.in_atomic_block:
        close_old_connections()


def _cut_short(stream):
    """How a finished stream ends the reply: complete, or interrupted by one of the answer's limits."""
    if stream.finish_reason == llm.DEADLINE:
        return Message.Status.INTERRUPTED, f"Cut short at the {settings.TUTOR_ANSWER_DEADLINE_SECONDS:g} s deadline."
    if stream.finish_reason == "length":
        return Message.Status.INTERRUPTED, f"Cut short at {settings.TUTOR_MAX_ANSWER_TOKENS} answer tokens."
    return Message.Status.COMPLETE, ""


def _finish(answer, status, parts, citations, stream=None, *, error=""):
    """Store the reply; its tokens (reported, or estimated for a broken or abandoned stream) end the reservation."""
    conversations.finish_reply(
        answer.reply,
        status=status,
        text="".join(parts),
        sources=citations,
        usage=stream.usage if stream is not None else None,
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
