"""What the tool keeps about the LMSs that launch it, on top of django-lti's models.

django-lti (``lti_tool``) already stores registrations, deployments, the tool's keys, LMS users
(issuer + ``sub``, linked to an account by ``LtiUser.auth_user``), contexts (LMS courses), their
memberships and resource links. This app adds, by multi-table inheritance where a row of theirs needs
more fields, what the platform needs: which LMS pages may frame this site (``LmsPlatform``), which
organisation a deployment belongs to (``LmsDeployment``), which class an LMS course fills
(``ContextGroup``), which page a resource link opens and where its grades go (``Placement``), and
every grade sent back (``ScoreSubmission``).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from lti_tool.models import LtiContext, LtiDeployment, LtiRegistration, LtiResourceLink, LtiUser

from lessons.models import Group, Organisation


def origin_of(url):
    """``https://lms.example.org`` for ``https://lms.example.org/mod/lti/auth.php``; "" for anything else."""
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


class LmsPlatform(LtiRegistration):
    """An LMS registered with this tool: django-lti's registration and the origins its pages frame us from."""

    frame_origins = models.TextField(
        _("frame origins"),
        blank=True,
        help_text=_(
            "Addresses (scheme://host[:port]) of the LMS pages that show this site in a frame, one per line. "
            "Leave empty when they are those of the issuer and the authentication request URL (Moodle)."
        ),
    )

    class Meta:
        verbose_name = _("LMS platform")
        verbose_name_plural = _("LMS platforms")

    def allowed_frame_origins(self):
        """The origins that may show this site in a frame for launches from this LMS (CSP frame-ancestors)."""
        listed = {origin_of(line.strip()) for line in self.frame_origins.splitlines()} - {""}
        return sorted(listed or {origin_of(self.issuer), origin_of(self.auth_url)} - {""})


class LmsDeployment(LtiDeployment):
    """A deployment of the tool in an LMS, tied to the organisation whose classes its courses fill.

    Launches through a deployment the platform has not registered here (or switched off) are refused.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="lms_deployments", verbose_name=_("organisation")
    )

    class Meta:
        verbose_name = _("LMS deployment")
        verbose_name_plural = _("LMS deployments")


class ContextGroup(models.Model):
    """The class or team that an LMS course (context) fills in one organisation.

    Keyed by context *and* organisation: should a deployment move to another organisation, its courses
    fill new classes there, and nobody launched under the new organisation lands in the old one's class.
    """

    context = models.ForeignKey(LtiContext, on_delete=models.CASCADE, related_name="platform_groups")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="lms_context")

    class Meta:
        verbose_name = _("LMS course's class")
        verbose_name_plural = _("LMS courses' classes")
        constraints = [
            models.UniqueConstraint(fields=["context", "organisation"], name="unique_context_group_per_organisation")
        ]

    def __str__(self):
        return f"{self.context} → {self.group}"


class Placement(models.Model):
    """A resource link in an LMS course: the lesson or course page it opens, and the line item its grades go to.

    ``line_item_url`` comes from the launch's grade-service claim when the LMS made one for the link
    (deep linking with a line item), or from the tool finding or creating one on the first grade.
    """

    resource_link = models.OneToOneField(LtiResourceLink, on_delete=models.CASCADE, related_name="placement")
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+", verbose_name=_("page"))
    line_item_url = models.URLField(_("line item"), max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("LMS placement")
        verbose_name_plural = _("LMS placements")

    def __str__(self):
        return f"{self.resource_link} → {self.page}"


class ScoreSubmission(models.Model):
    """One grade sent (or being sent) to an LMS gradebook: what was sent, when, and what the LMS answered.

    Each row carries the learner's whole current result for the placement, so a later row replaces
    an earlier one in the gradebook and a failed row is made good by the next one.
    """

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("grade status", "Waiting")
        SENT = "sent", pgettext_lazy("grade status", "Sent")
        FAILED = "failed", pgettext_lazy("grade status", "Failed")
        REPLACED = "replaced", pgettext_lazy("grade status", "Replaced by a newer grade")

    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, related_name="score_submissions", verbose_name=_("placement")
    )
    lti_user = models.ForeignKey(LtiUser, on_delete=models.CASCADE, related_name="+", verbose_name=_("LMS user"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lms_scores", verbose_name=_("learner")
    )
    score_given = models.FloatField(_("score"))
    score_maximum = models.FloatField(_("maximum score"))
    activity_progress = models.CharField(_("activity progress"), max_length=20)
    grading_progress = models.CharField(_("grading progress"), max_length=20)
    timestamp = models.DateTimeField(_("timestamp"), help_text=_("When the result was read; the LMS keeps the newest."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    line_item_url = models.URLField(_("line item"), max_length=1000, blank=True)
    response_status = models.PositiveSmallIntegerField(_("LMS response status"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("grade sent to an LMS")
        verbose_name_plural = _("grades sent to LMSs")
        indexes = [models.Index(fields=["placement", "lti_user", "-created_at"])]

    def __str__(self):
        return f"{self.score_given:g}/{self.score_maximum:g} for {self.lti_user} ({self.status})"
