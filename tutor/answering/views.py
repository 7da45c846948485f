"""The tutor panel's endpoints: ask (a Server-Sent Events stream), conversation history, feedback.

Thin views: parse, authorise on the lesson or message, call ``tutor.answering.services`` /
``tutor.answering.conversations``, render. Refusals are short JSON bodies ``{"error": "..."}`` with a status
the panel shows as-is: 400 bad question, 401 not logged in, 404 lesson or message not theirs,
429 too many questions or budget used up (with Retry-After when there is a time to wait).
Messages are in the request's language (the URL's prefix), the streamed ones too.

``ask`` is async (Django runs it on the ASGI server's event loop; the rest of the site stays sync):
its checks run in one sync section, the saving and the preparation in others (``answering.begin``),
a few questions at a time (``answers_starting``), and the stream waits on the model without holding
a thread. Under WSGI (``runserver``, the tests' live server)
Django serves the same async stream by reading it whole first, so the answer arrives at once.
"""

import asyncio
import json
import weakref

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from cms.pages import viewable_page_or_404
from cms.ratelimit import Rate, RateLimit, RateLimited
from lessons.models import LessonPage
from tutor.answering import conversations
from tutor.answering import services as answering
from tutor.models import Message
from tutor.oversight import budgets

LOGIN_TO_ASK = _("Log in to ask the tutor.")


class BadQuestion(ValueError):
    pass


class Refused(Exception):
    """The question is turned away before it is answered; ``response`` says why."""

    def __init__(self, response):
        super().__init__(response.status_code)
        self.response = response


def viewable_lesson(request, page_id):
    return viewable_page_or_404(request, LessonPage.objects, page_id)


def question_from(request):
    """The question from a JSON ({"question": ...}) or form body, stripped and length-checked."""
    if request.content_type == "application/json":
        try:
            payload = json.loads(request.body or b"{}")
        except ValueError as error:
            raise BadQuestion(gettext("The request body is not valid JSON.")) from error
        question = payload.get("question") if isinstance(payload, dict) else None
    else:
        question = request.POST.get("question")
    question = question.strip() if isinstance(question, str) else ""
    if not question:
        raise BadQuestion(gettext("Type a question for the tutor first."))
    limit = settings.TUTOR_MAX_QUESTION_CHARS
    if len(question) > limit:
        raise BadQuestion(
            ngettext(
                "Questions can be at most %(limit)d character long (yours has %(length)d).",
                "Questions can be at most %(limit)d characters long (yours has %(length)d).",
                limit,
            )
            % {"limit": limit, "length": len(question)}
        )
    return question


def refusal(message, status, retry_after=None):
    response = JsonResponse({"error": str(message)}, status=status)  # str(): lazy texts in this request's language
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@require_POST
async def ask(request, page_id):
    async with answers_starting():
        try:
            lesson, question = await sync_to_async(accepted_question)(request, page_id)
        except Refused as refused:
            return refused.response
        try:
            answer = await answering.begin(request.user, lesson, question)
        except budgets.BudgetExhausted as exhausted:
            return refusal(exhausted.message, 429)
    response = StreamingHttpResponse(
        server_sent_events(answer.events(), translation.get_language()), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


_starting = weakref.WeakKeyDictionary()  # event loop → its semaphore (asyncio's belong to one loop)


def answers_starting():
    """The semaphore that lets ``TUTOR_ANSWERS_STARTING_AT_ONCE`` questions per process be worked on
    from their arrival until their model request goes out; the others wait for it, in order.

    When a whole class asks at once, working on every question together shares the CPU among them,
    so every learner waits as long as the last; and each holds a database connection meanwhile, so
    lesson pages wait for one too. Admitted a few at a time, the first questions get their first
    token soonest, the crowd waits without holding connections or threads, and pages stay fast.
    """
    loop = asyncio.get_running_loop()
    if loop not in _starting:
        _starting[loop] = asyncio.Semaphore(settings.TUTOR_ANSWERS_STARTING_AT_ONCE)
    return _starting[loop]


def accepted_question(request, page_id):
    """(lesson, question) once the learner may ask it there and now; raises ``Refused`` or Http404.

    Every check before an answer (log-in, the lesson, the question, the rate limit) in one sync section.
    """
    if not request.user.is_authenticated:
        raise Refused(refusal(LOGIN_TO_ASK, 401))
    lesson = viewable_lesson(request, page_id)
    try:
        question = question_from(request)
    except BadQuestion as error:
        raise Refused(refusal(str(error), 400)) from error
    try:
        RateLimit("tutor-questions", Rate.parse(settings.TUTOR_RATE_LIMIT)).hit(request.user.pk)
    except RateLimited as limited:
        message = ngettext(
            "You've asked the tutor a lot of questions in a short time. Please try again in %(minutes)d minute.",
            "You've asked the tutor a lot of questions in a short time. Please try again in %(minutes)d minutes.",
            limited.minutes,
        ) % {"minutes": limited.minutes}
        raise Refused(refusal(message, 429, retry_after=limited.retry_after)) from limited
    return lesson, question


async def server_sent_events(events, language=None):
    """The answer's events as SSE; closing or cancelling this stream (client gone) ends the answer, which saves it.

    The stream is read after the view has returned, so each event is made and encoded with the
    request's ``language`` active: messages for the learner (lazy texts included) are in it.
    """
    language = language or translation.get_language()
    try:
        while True:
            with translation.override(language):
                try:
                    event = await anext(events)
                except StopAsyncIteration:
                    return
                data = json.dumps(event.data, cls=DjangoJSONEncoder)
            yield f"event: {event.name}\ndata: {data}\n\n".encode()
    finally:
        await events.aclose()


@require_GET
def conversation(request, page_id):
    """The panel's conversation list (an HTML fragment) for this learner and lesson."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    lesson = viewable_lesson(request, page_id)
    messages = conversations.panel_messages(request.user, lesson)
    return render(request, "tutor/includes/conversation.html", {"lesson": lesson, "tutor_messages": messages})


@require_POST
def feedback(request, message_id):
    """Thumbs up/down on one of the learner's own tutor replies; returns the updated buttons."""
    if not request.user.is_authenticated:
        return refusal(LOGIN_TO_ASK, 401)
    try:
        rating = int(request.POST.get("rating", ""))
        message = conversations.rate(request.user, message_id, rating)
    except Message.DoesNotExist as error:
        raise Http404("No such message.") from error
    except ValueError:
        return refusal(gettext("Rating must be 1 (helpful), -1 (not helpful) or 0."), 400)
    return render(request, "tutor/includes/feedback.html", {"message": message})
