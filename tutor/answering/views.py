"""The tutor panel's endpoints: ask (a Server-Sent Events stream), conversation history, feedback.

Thin views: parse, authorise on the lesson or message, call ``tutor.answering.services`` /
``tutor.answering.conversations``, render. Refusals are short JSON bodies ``{"error": "..."}`` with a status
the panel shows as-is: 400 bad question, 401 not logged in, 404 lesson or message not theirs,
429 too many questions or budget used up (with Retry-After when there is a time to wait).
"""

import json

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST
from wagtail.models import Page

from cms.ratelimit import Rate, RateLimit, RateLimited
from lessons.models import LessonPage
from tutor.answering import conversations
from tutor.answering import services as answering
from tutor.models import Message
from tutor.oversight import budgets

LOGIN_TO_ASK = "Log in to ask the tutor."


class BadQuestion(ValueError):
    pass


def viewable_lesson(request, page_id):
    """The live lesson ``page_id`` if this request may view it (Wagtail view restrictions), else 404."""
    lesson = LessonPage.objects.live().filter(pk=page_id).first()
    if (
        lesson is None
        or Page.objects.ancestor_of(lesson).filter(depth__gt=1, live=False).exists()  # course unpublished
        or not all(restriction.accept_request(request) for restriction in lesson.get_view_restrictions())
    ):
        raise Http404("No such lesson.")
    return lesson


def question_from(request):
    """The question from a JSON ({"question": ...}) or form body, stripped and length-checked."""
    if request.content_type == "application/json":
        try:
            payload = json.loads(request.body or b"{}")
        except ValueError as error:
            raise BadQuestion("The request body is not valid JSON.") from error
        question = payload.get("question") if isinstance(payload, dict) else None
    else:
        question = request.POST.get("question")
    question = question.strip() if isinstance(question, str) else ""
    if not question:
        raise BadQuestion("Type a question for the tutor first.")
    limit = settings.TUTOR_MAX_QUESTION_CHARS
    if len(question) > limit:
        raise BadQuestion(f"Questions can be at most {limit} characters long (yours has {len(question)}).")
    return question


def refusal(message, status, retry_after=None):
    response = JsonResponse({"error": message}, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@require_POST
def ask(request, page_id):
    if not request.user.is_authenticated:
        return refusal(LOGIN_TO_ASK, 401)
    lesson = viewable_lesson(request, page_id)
    try:
        question = question_from(request)
    except BadQuestion as error:
        return refusal(str(error), 400)
    try:
        RateLimit("tutor-questions", Rate.parse(settings.TUTOR_RATE_LIMIT)).hit(request.user.pk)
    except RateLimited as limited:
        message = (
            "You've asked the tutor a lot of questions in a short time. "
            f"Please try again in {limited.minutes} minute{'s' if limited.minutes != 1 else ''}."
        )
        return refusal(message, 429, retry_after=limited.retry_after)
    try:
        answer = answering.start(request.user, lesson, question)
    except budgets.BudgetExhausted as exhausted:
        return refusal(exhausted.message, 429)
    response = StreamingHttpResponse(server_sent_events(answer.events()), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


def server_sent_events(events):
    """Format events as SSE; closing this stream (client gone) closes the answer, which saves it."""
    try:
        for event in events:
            yield f"event: {event.name}\ndata: {json.dumps(event.data)}\n\n".encode()
    finally:
        events.close()


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
        return refusal("Rating must be 1 (helpful), -1 (not helpful) or 0.", 400)
    return render(request, "tutor/includes/feedback.html", {"message": message})
