"""``{% tutor_oversight_notice %}``: tells a learner, in the tutor panel, who can read their conversations."""

from django import template

from tutor.oversight_access import organisations_reading_learner

register = template.Library()


@register.inclusion_tag("tutor/oversight/notice.html", takes_context=True)
def tutor_oversight_notice(context):
    user = context.get("user") or getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return {"organisations": []}
    return {"organisations": list(organisations_reading_learner(user))}
