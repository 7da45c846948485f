"""Who counts as teaching staff: the one rule for teacher-only notes, in pages and in the tutor."""

TEACHING_GROUPS = ("Teachers", "Editors")


def can_see_teacher_material(user):
    """Teachers, editors, organisation teachers/managers/admins and superusers see teacher-only blocks."""
    if not user or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_can_see_teacher_material", None)
    if cached is None:
        cached = (
            user.groups.filter(name__in=TEACHING_GROUPS).exists()
            or user.memberships.filter(role__in=["teacher", "admin"]).exists()
        )
        user._can_see_teacher_material = cached
    return cached
