"""What a business keeps of a deleted account's training: one anonymised row per completed course.

EU AI Act art. 4 asks employers to ensure their staff's AI literacy, and the training record
(``lessons.organisations.reports``) is how they show it. When a learner deletes their account their
memberships, progress and name go; the business keeps the fact that someone on its staff completed
the course, and when, with nothing that names them: no user, name, e-mail, group or certificate code
(the old CSV exports carry the codes, so a code would tie the row back to a name).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AnonymisedTrainingRecord(models.Model):
    organisation = models.ForeignKey(
        "lessons.Organisation",
        on_delete=models.CASCADE,
        related_name="anonymised_training_records",
        verbose_name=_("organisation"),
    )
    course = models.ForeignKey(
        "lessons.CoursePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("course"),
    )
    course_title = models.CharField(_("course title"), max_length=255)
    language = models.CharField(_("language"), max_length=10, blank=True)
    assigned_on = models.DateField(_("assigned on"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    # Dates, not times: a timestamp to the second would match the deleted person's row in an old export.
    completed_on = models.DateField(_("completed on"))
    best_quiz_score = models.PositiveSmallIntegerField(_("best quiz score"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), auto_now_add=True)

    class Meta:
        ordering = ["course_title", "completed_on"]
        verbose_name = _("anonymised training record")
        verbose_name_plural = _("anonymised training records")

    def __str__(self):
        return f"{self.course_title} completed {self.completed_on} ({self.organisation})"
