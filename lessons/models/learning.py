"""A learner's record: enrolments, lesson progress, quiz attempts, notes and certificates."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _


class Enrolment(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments")
    course = models.ForeignKey("lessons.CoursePage", on_delete=models.CASCADE, related_name="enrolments")
    enrolled_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="unique_enrolment")]

    def __str__(self):
        return f"{self.user} in {self.course}"


class LessonProgress(models.Model):
    """Read and completed timestamps; a lesson is complete when read and its quiz is passed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress")
    lesson = models.ForeignKey("lessons.LessonPage", on_delete=models.CASCADE, related_name="progress")
    first_read_at = models.DateTimeField(null=True, blank=True)
    last_visited_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [models.UniqueConstraint(fields=["user", "lesson"], name="unique_lesson_progress")]

    def __str__(self):
        return f"{self.user} on {self.lesson}"


class QuizAttempt(models.Model):
    """One graded submission.

    ``layout`` is what the learner was shown: the drawn questions and each one's option order
    (see lessons.learning.quizzes); ``answers`` maps question block id → list of chosen option ids.
    Attempts beyond the quiz's ``max_attempts`` are practice: stored, graded, but not on the record.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts")
    lesson = models.ForeignKey("lessons.LessonPage", on_delete=models.CASCADE, related_name="quiz_attempts")
    quiz_block_id = models.CharField(max_length=64)
    layout = models.JSONField(default=list)
    answers = models.JSONField(default=dict)
    counts_towards_record = models.BooleanField(default=True)
    correct_count = models.PositiveIntegerField(default=0)
    question_count = models.PositiveIntegerField(default=0)
    score_percent = models.PositiveSmallIntegerField(default=0)
    passed = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["user", "lesson", "-submitted_at"])]

    def __str__(self):
        return f"{self.user} on {self.lesson}: {self.score_percent}%"


class ReflectionNote(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reflection_notes")
    lesson = models.ForeignKey("lessons.LessonPage", on_delete=models.CASCADE, related_name="reflection_notes")
    block_id = models.CharField(max_length=64)
    prompt = models.TextField()
    text = models.TextField(max_length=5000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reflection note")
        verbose_name_plural = _("reflection notes")
        constraints = [models.UniqueConstraint(fields=["user", "lesson", "block_id"], name="unique_reflection_note")]

    def __str__(self):
        return f"{self.user}'s note on {self.lesson}"


def new_verification_code():
    return secrets.token_urlsafe(12)


class Certificate(models.Model):
    """Issued once per learner and course; the public verification page shows only what is on it.

    When the learner deletes their account the certificate stays, revoked and nameless
    (``lessons.learning.personal_data``): a code printed on paper then verifies as "revoked" instead
    of "not found", and nobody learns whose it was.
    """

    # SET_NULL, not CASCADE: the row outlives the account as a revoked certificate.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="certificates"
    )
    course = models.ForeignKey("lessons.CoursePage", null=True, on_delete=models.SET_NULL, related_name="certificates")
    learner_name = models.CharField(max_length=200, blank=True)
    course_title = models.CharField(max_length=255)
    language = models.CharField(
        _("language"), max_length=10, blank=True, help_text=_("The language the course was taken in.")
    )
    code = models.CharField(max_length=32, unique=True, default=new_verification_code)
    issued_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(
        _("revoked at"), null=True, blank=True, help_text=_("Set when the learner deleted their account.")
    )

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="unique_certificate")]

    def __str__(self):
        return f"{self.course_title}: {self.learner_name} ({self.code})"

    def language_name(self):
        """The course language in the reader's language ("eesti", "English")."""
        return get_language_info(self.language)["name_translated"] if self.language else ""
