"""Who counts as teaching staff: the one rule for teacher-only notes, in pages and in the tutor."""

from django.db import models

from lessons.models import Membership


class AuthoringGroup(models.TextChoices):
    """The two Django auth groups that author the catalogue (see ``lessons.authoring.services``)."""

    TEACHERS = "Teachers"
    EDITORS = "Editors"


TEACHING_MEMBERSHIP_ROLES = (Membership.Role.TEACHER, Membership.Role.ADMIN)


def can_see_teacher_material(user):
    """Teachers, editors, organisation teachers/managers/admins and superusers see teacher-only blocks."""
    if not user or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_can_see_teacher_material", None)
    if cached is None:
        cached = (
            user.groups.filter(name__in=AuthoringGroup.values).exists()
            or user.memberships.filter(role__in=TEACHING_MEMBERSHIP_ROLES).exists()
        )
        user._can_see_teacher_material = cached
    return cached
