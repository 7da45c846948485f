"""The learner's oversight notice in the tutor panel: ``{% load oversight %}{% tutor_oversight_notice %}``."""

from django import template

from tutor.oversight.selectors import organisations_reading_learner

register = template.Library()


def signed_in_user(context):
    user = context.get("user") or getattr(context.get("request"), "user", None)
    return user if user is not None and user.is_authenticated else None


@register.inclusion_tag("tutor/oversight/includes/notice.html", takes_context=True)
def tutor_oversight_notice(context):
    """Learners in a group are told which organisations' teachers and admins can read their conversations."""
    user = signed_in_user(context)
    return {"organisations": list(organisations_reading_learner(user)) if user else []}
