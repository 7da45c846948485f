"""Template helpers for rendering lesson content; learner panels live in ``learning``."""

from django import template

from lessons.authoring.roles import can_see_teacher_material

register = template.Library()


@register.simple_tag(takes_context=True)
def shows_teacher_material(context):
    """Whether this request's user may see teacher-only blocks (False when there is no request)."""
    request = context.get("request")
    return can_see_teacher_material(getattr(request, "user", None))
