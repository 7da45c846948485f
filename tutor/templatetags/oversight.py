"""Oversight template helpers: the learner's notice in the tutor panel and dates in the reader's language.

``{% load oversight %}{% tutor_oversight_notice %}`` and ``{{ value|oversight_date:"datetime" }}``.
"""

from django import template
from django.utils.formats import date_format
from django.utils.text import get_text_list
from django.utils.translation import gettext, pgettext_lazy

from tutor.oversight.selectors import organisations_reading_learner

register = template.Library()

# Date formats (Django ``date`` filter syntax) per language, from the catalogs: English keeps the
# site's wording ("1 December 2026"), Estonian and Russian write dates the way their readers do.
DATE_FORMATS = {
    "date": pgettext_lazy("date format (Django date filter syntax): a short date", "j M Y"),
    "datetime": pgettext_lazy("date format (Django date filter syntax): a short date and time", "j M Y H:i"),
    "long": pgettext_lazy("date format (Django date filter syntax): a long date", "j F Y"),
}


def signed_in_user(context):
    user = context.get("user") or getattr(context.get("request"), "user", None)
    return user if user is not None and user.is_authenticated else None


@register.inclusion_tag("tutor/oversight/includes/notice.html", takes_context=True)
def tutor_oversight_notice(context):
    """Learners in a group are told which organisations' teachers and admins can read their conversations."""
    user = signed_in_user(context)
    organisations = list(organisations_reading_learner(user)) if user else []
    return {
        "organisations": organisations,
        # "A", "A and B", "A, B and C" in the active language
        "organisation_names": get_text_list([organisation.name for organisation in organisations], gettext("and")),
    }


@register.filter(expects_localtime=True)
def oversight_date(value, kind="datetime"):
    """``value`` formatted as a ``date``, ``datetime`` or ``long`` date of the active language."""
    if not value:
        return ""
    return date_format(value, str(DATE_FORMATS[kind]))
