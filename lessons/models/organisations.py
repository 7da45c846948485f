"""Schools and businesses, their classes and teams, who belongs where, and what is assigned."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def new_join_code():
    # Unambiguous capitals and digits, easy to read out in a classroom.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class Organisation(models.Model):
    class Kind(models.TextChoices):
        SCHOOL = "school", _("School")
        BUSINESS = "business", _("Business")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)
        super().save(*args, **kwargs)


class Group(models.Model):
    """A class in a school or a team in a business."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=200)
    join_code = models.CharField(max_length=12, unique=True, default=new_join_code)
    join_code_enabled = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # For clients syncing by "changed since" (the REST API); saves with update_fields must name it.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("class or team")
        verbose_name_plural = _("classes and teams")

    def __str__(self):
        return f"{self.name} ({self.organisation})"


class Membership(models.Model):
    """A role in an organisation; ``group`` is empty for organisation-wide roles (admins)."""

    class Role(models.TextChoices):
        LEARNER = "learner", _("Learner")
        TEACHER = "teacher", _("Teacher / manager")
        ADMIN = "admin", _("Organisation admin")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.LEARNER)
    joined_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)  # see Group.updated_at

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "group"], name="unique_group_membership"),
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=models.Q(group__isnull=True),
                name="unique_organisation_wide_membership",
            ),
        ]

    def __str__(self):
        return f"{self.user} as {self.role} in {self.group or self.organisation}"


class Invitation(models.Model):
    """A one-use link e-mailed to ``email``; only an account with that address may accept it.

    It stops working once accepted, once revoked by someone who manages the group, or
    ``INVITATION_EXPIRY_DAYS`` after it was sent (read at check time, so shortening the setting
    also shortens invitations already out).
    """

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Membership.Role.choices, default=Membership.Role.LEARNER)
    token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return f"{self.email} to {self.group}"

    @property
    def expires_at(self):
        return self.created_at + timedelta(days=settings.INVITATION_EXPIRY_DAYS)

    @property
    def is_expired(self):
        return timezone.now() >= self.expires_at


class Assignment(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="assignments")
    course = models.ForeignKey("lessons.CoursePage", on_delete=models.CASCADE, related_name="assignments")
    due_date = models.DateField(null=True, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)  # see Group.updated_at

    class Meta:
        ordering = ["due_date", "assigned_at"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [models.UniqueConstraint(fields=["group", "course"], name="unique_assignment")]

    def __str__(self):
        return f"{self.course} for {self.group}"


class ExportJob(models.Model):
    """A training-record export built by a Celery task; the page polls status and progress.

    The CSV is stored in the row (not under MEDIA_ROOT) so it is only ever served through the
    download view, which authorises on the organisation — never from a public media URL — and the
    web process and any worker host see the same file (PostgreSQL is the only store of record).
    It holds personal data, so it is kept ``EXPORT_RETENTION_DAYS`` after it was built: then the
    download is refused and ``lessons.expire_exports`` (celery beat) blanks the CSV and marks the
    job expired.
    """

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("export status", "Waiting")
        RUNNING = "running", pgettext_lazy("export status", "Running")
        DONE = "done", pgettext_lazy("export status", "Done")
        FAILED = "failed", pgettext_lazy("export status", "Failed")
        EXPIRED = "expired", pgettext_lazy("export status", "Expired")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="export_jobs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    content = models.TextField(blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")

    def __str__(self):
        return f"Training record of {self.organisation} ({self.status})"

    @property
    def percent(self):
        return 100 if self.status == self.Status.DONE else (self.progress * 100 // self.total if self.total else 0)

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED)

    @property
    def expires_at(self):
        return self.finished_at + timedelta(days=settings.EXPORT_RETENTION_DAYS) if self.finished_at else None

    @property
    def is_expired(self):
        """Expired as soon as the retention period is over, even before the periodic task has blanked it."""
        if self.status == self.Status.EXPIRED:
            return True
        return self.status == self.Status.DONE and timezone.now() >= self.expires_at
