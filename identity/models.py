"""Which provider claims make someone a member of an organisation, and which memberships came from claims."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from lessons.models import Membership, Organisation


class ClaimMapping(models.Model):
    """How one provider's claims say that a person belongs to ``organisation``, and in which role.

    The person belongs when the claim ``organisation_claim`` holds ``organisation_value`` (or a list
    containing it). Their role comes from ``role_claim``: one of ``teacher_values`` makes them a
    teacher, but only if the organisation trusts this provider for that role; otherwise, and for
    every other value, a learner. When ``learner_values`` is filled in, only those values (and the
    teacher ones) count: anyone else, such as a parent, is not made a member. Without a role claim
    everyone the organisation claim matches is a learner. See ``identity.mappings`` for how this
    applies at each sign-in.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="claim_mappings", verbose_name=_("organisation")
    )
    provider_id = models.CharField(
        _("sign-in provider"), max_length=40, help_text=_("The provider id from OIDC_PROVIDERS.")
    )
    organisation_claim = models.CharField(
        _("organisation claim"),
        max_length=100,
        help_text=_("The claim that holds the school's or company's identifier, e.g. school_id."),
    )
    organisation_value = models.CharField(
        _("identifier of this organisation"),
        max_length=200,
        help_text=_("The value of that claim for this organisation (compared exactly)."),
    )
    role_claim = models.CharField(
        _("role claim"),
        max_length=100,
        blank=True,
        help_text=_("The claim that holds the person's role, e.g. role. Empty: everyone joins as a learner."),
    )
    teacher_values = models.CharField(
        _("teacher values"),
        max_length=500,
        blank=True,
        help_text=_("Values of the role claim that mean teacher or manager, separated by commas."),
    )
    learner_values = models.CharField(
        _("learner values"),
        max_length=500,
        blank=True,
        help_text=_(
            "Values of the role claim that mean learner, separated by commas. Empty: every value that "
            "is not a teacher value."
        ),
    )
    trusts_teacher_role = models.BooleanField(
        _("trust this provider for the teacher role"),
        default=False,
        help_text=_(
            "Teachers see their classes' progress and quiz results and the teacher-only material. "
            "Without this, people the provider calls teachers join as learners."
        ),
    )

    class Meta:
        verbose_name = _("sign-in claim mapping")
        verbose_name_plural = _("sign-in claim mappings")
        ordering = ["organisation__name", "provider_id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "provider_id"], name="one_claim_mapping_per_provider"),
            models.UniqueConstraint(
                fields=["provider_id", "organisation_claim", "organisation_value"],
                name="claim_value_names_one_organisation",
            ),
        ]

    def __str__(self):
        return f"{self.organisation}: {self.provider_id} {self.organisation_claim}={self.organisation_value}"


class ClaimGrant(models.Model):
    """An organisation-wide membership whose role a provider's claims decided at the last sign-in.

    ``local_role`` is the role the membership had here before claims raised it ("" when claims created
    it): claims never take a membership below it, and when the claims stop matching the membership
    goes back to it (or goes, if claims created it). A membership with no grant was given here and
    claims only ever raise it.
    """

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="claim_grant")
    mapping = models.ForeignKey(ClaimMapping, on_delete=models.CASCADE, related_name="grants")
    granted_role = models.CharField(max_length=20, choices=Membership.Role.choices)
    local_role = models.CharField(max_length=20, choices=Membership.Role.choices, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("membership from sign-in claims")
        verbose_name_plural = _("memberships from sign-in claims")

    def __str__(self):
        return f"{self.membership} ({self.mapping.provider_id})"
