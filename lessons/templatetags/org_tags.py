"""Template helpers for the nav and the learner dashboard: ``{% load org_tags %}``."""

from django import template

from lessons.org_selectors import can_manage_groups
from lessons.reports import learner_assignments

register = template.Library()


@register.simple_tag
def learner_assignments_for(user):
    """The signed-in learner's assignments with due dates and status (empty for anonymous users)."""
    return learner_assignments(user) if user.is_authenticated else []


@register.filter
def manages_groups(user):
    """True for teachers/managers and organisation admins: they get the "My classes" link."""
    return can_manage_groups(user)
