"""The learner dashboard's assignments: ``{% load org_tags %}``."""

from django import template

from lessons.organisations.reports import learner_assignments

register = template.Library()


@register.simple_tag
def learner_assignments_for(user):
    """The signed-in learner's assignments with due dates and status (empty for anonymous users)."""
    return learner_assignments(user) if user.is_authenticated else []
