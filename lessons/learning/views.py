"""Learner views: thin wrappers that parse, authorise on the object, call a service and render.

Quiz and note forms post normally and are enhanced with htmx: an htmx request gets the partial
for the region it replaces, a plain request is redirected (post/redirect/get) or gets a full page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cms.pages import viewable_page_or_404
from lessons.models import Certificate, CoursePage, LessonPage, QuizAttempt
from lessons.templatetags.learning import quiz_form_context

from . import selectors
from .exceptions import NotEnrollable, NotEnrolled, QuizCoolingDown, QuizInputError, QuizNotFound, ReflectionNotFound
from .forms import ReflectionNoteForm
from .quizzes import ANSWER_FIELD_PREFIX, file_order_layout, find_quiz, grade
from .services import enrol, save_reflection_note, submit_quiz


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def error_response(request, status, message, back_url=None):
    """A clear message with the right status, as a partial for htmx or as a full page."""
    template = "lessons/includes/message.html" if is_htmx(request) else "lessons/error.html"
    return render(request, template, {"message": message, "back_url": back_url, "status": status}, status=status)


def viewable_lesson(request, lesson_id) -> LessonPage:
    return viewable_page_or_404(request, LessonPage.objects, lesson_id)


@login_required
@require_http_methods(["GET", "POST"])
def enrol_in_course(request, course_id):
    course = viewable_page_or_404(request, CoursePage.objects, course_id)
    if request.method == "GET":
        # Where the log-in page sends an anonymous learner back to: the course, to press Enrol.
        return redirect(course.url)
    try:
        enrol(user=request.user, course=course)
    except NotEnrollable as error:
        return error_response(request, 400, str(error), course.url)
    messages.success(request, _("You are enrolled in %(course)s.") % {"course": course.title})
    next_lesson = selectors.course_progress(request.user, course).next_lesson
    return redirect(next_lesson.url if next_lesson else course.url)


@login_required
@require_http_methods(["GET", "POST"])
def quiz(request, lesson_id, quiz_block_id):
    """GET: the next attempt's form (htmx "try again"). POST: grade, store the attempt, show the result."""
    lesson = viewable_lesson(request, lesson_id)
    try:
        quiz_value = find_quiz(lesson, quiz_block_id)
    except QuizNotFound as error:
        return error_response(request, 404, str(error), lesson.url)
    if request.method == "GET":
        if not is_htmx(request):
            return redirect(f"{lesson.url}#quiz-{quiz_block_id}")
        context = quiz_form_context(request=request, lesson=lesson, quiz_block_id=quiz_block_id, quiz=quiz_value)
        return render(request, "lessons/includes/quiz_form_body.html", context)
    try:
        attempt, result = submit_quiz(user=request.user, lesson=lesson, quiz_block_id=quiz_block_id, data=request.POST)
    except NotEnrolled as error:
        return error_response(request, 403, str(error), lesson.url)
    except QuizCoolingDown as error:
        return error_response(request, 429, str(error), f"{lesson.url}#quiz-{quiz_block_id}")
    except QuizInputError as error:
        if not is_htmx(request):
            return error_response(request, 400, str(error), f"{lesson.url}#quiz-{quiz_block_id}")
        selected = {
            option_id
            for key in request.POST
            if key.startswith(ANSWER_FIELD_PREFIX)
            for option_id in request.POST.getlist(key)
        }
        context = quiz_form_context(
            request=request,
            lesson=lesson,
            quiz_block_id=quiz_block_id,
            quiz=quiz_value,
            selected=selected,
            error=str(error),
        )
        return render(request, "lessons/includes/quiz_form_body.html", context, status=400)
    if not is_htmx(request):
        return redirect("lessons:quiz_attempt", attempt_id=attempt.id)
    # The swap also refreshes the lesson's progress panel out of band, so "0 of 8" moves without a reload.
    return render(request, "lessons/includes/quiz_result_swap.html", result_context(request, lesson, attempt, result))


def result_context(request, lesson, attempt, result):
    progress = selectors.course_progress(request.user, lesson.get_parent().specific)
    status = progress.status_of(lesson)
    return {
        "lesson": lesson,
        "attempt": attempt,
        "quiz_block_id": attempt.quiz_block_id,
        "result": result,
        "progress": progress,
        "lesson_complete": bool(status and status.completed),
    }


@login_required
@require_GET
def quiz_attempt(request, attempt_id):
    """The result page of one of the learner's own attempts (where a plain form post lands)."""
    attempt = get_object_or_404(QuizAttempt.objects.filter(user=request.user), id=attempt_id)
    lesson = viewable_lesson(request, attempt.lesson_id)
    try:
        quiz_value = find_quiz(lesson, attempt.quiz_block_id)
    except QuizNotFound:
        return error_response(request, 404, _("This quiz is no longer part of the lesson."), lesson.url)
    # Attempts stored before options were shuffled showed every question in file order.
    layout = attempt.layout or file_order_layout(quiz_value)
    context = result_context(request, lesson, attempt, grade(quiz_value, attempt.answers, layout))
    return render(request, "lessons/quiz_attempt.html", context)


@login_required
@require_POST
def reflection_note(request, lesson_id, block_id):
    lesson = viewable_lesson(request, lesson_id)
    form = ReflectionNoteForm(request.POST, auto_id=f"note-{block_id}-%s")
    context = {"lesson": lesson, "block_id": block_id, "signed_in": True, "enrolled": True, "form": form}
    if not form.is_valid():
        if is_htmx(request):
            return render(request, "lessons/includes/reflection_note_form.html", context, status=400)
        message = _("Your note could not be saved: %(reason)s") % {"reason": form.errors["text"][0]}
        return error_response(request, 400, message, lesson.url)
    try:
        note = save_reflection_note(user=request.user, lesson=lesson, block_id=block_id, text=form.cleaned_data["text"])
    except NotEnrolled as error:
        return error_response(request, 403, str(error), lesson.url)
    except ReflectionNotFound as error:
        return error_response(request, 404, str(error), lesson.url)
    if is_htmx(request):
        return render(request, "lessons/includes/reflection_note_form.html", {**context, "note": note, "saved": True})
    messages.success(request, _("Saved to your notes."))
    return redirect(lesson.url)


@login_required
@require_GET
def dashboard(request):
    context = {
        "courses": selectors.dashboard_courses(request.user),
        "certificates": selectors.certificates_for(request.user),
        "notes": selectors.reflection_notes_for(request.user),
    }
    return render(request, "lessons/dashboard.html", context)


@login_required
@require_GET
def certificate(request, code):
    """The printable certificate; only its owner sees it (anyone else gets the same 404)."""
    owned = get_object_or_404(Certificate, code=code, user=request.user)
    return render(request, "lessons/certificate.html", {"certificate": owned})


@require_GET
def verify_certificate(request, code):
    """Public check of a certificate: the printed name, course and date, nothing else; or that it was revoked."""
    found = (
        Certificate.objects.filter(code=code)
        .only("learner_name", "course_title", "language", "issued_at", "revoked_at", "code")
        .first()
    )
    if found is None:
        return render(request, "lessons/certificate_not_found.html", {"code": code}, status=404)
    return render(request, "lessons/certificate_verify.html", {"certificate": found})
