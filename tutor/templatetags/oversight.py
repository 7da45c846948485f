"""Oversight template tags: the learner's notice in the tutor panel, the readers' nav link, open flags."""

from django import template

from tutor.oversight_access import flags_for_reader, organisations_overseen_by, organisations_reading_learner

register = template.Library()


def _signed_in_user(context):
    user = context.get("user") or getattr(context.get("request"), "user", None)
    return user if user is not None and user.is_authenticated else None


@register.inclusion_tag("tutor/oversight/notice.html", takes_context=True)
def tutor_oversight_notice(context):
    """Learners in a group are told which organisations' teachers and admins can read their conversations."""
    user = _signed_in_user(context)
    return {"organisations": list(organisations_reading_learner(user)) if user else []}


@register.inclusion_tag("tutor/oversight/nav_link.html", takes_context=True)
def tutor_oversight_link(context):
    """A "Tutor oversight" nav item for teachers and organisation admins; nothing for everyone else."""
    user = _signed_in_user(context)
    return {"show": bool(user and organisations_overseen_by(user).exists())}


@register.simple_tag(takes_context=True)
def tutor_open_flag_count(context, organisation):
    """How many safety flags on the reader's learners in ``organisation`` wait for review."""
    user = _signed_in_user(context)
    return flags_for_reader(user, organisation).count() if user else 0
