"""Classes and teams in templates: ``{% load org_tags %}``.

``{% learner_assignments_for user as assignments %}`` for the learner dashboard,
``{% words_for_user user as words %}`` for the user's wording, and ``{% say words.phrase count=n %}``
to fill a phrase of ``lessons.organisations.wording``.
"""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from lessons.organisations.reports import learner_assignments
from lessons.organisations.wording import wording_for_user

register = template.Library()
register.simple_tag(wording_for_user, name="words_for_user")


@register.simple_tag
def learner_assignments_for(user):
    """The signed-in learner's assignments with due dates and status (empty for anonymous users)."""
    return learner_assignments(user) if user.is_authenticated else []


@register.simple_tag
def say(phrase, **values):
    """``phrase`` with ``values`` filled in: the values are escaped, the phrase's own markup is kept.

    The phrases come from the code and the translation catalogs, as trusted as ``blocktranslate``
    text; numbers stay numbers, so a plural phrase picks its form from them.
    """
    if not values:
        return phrase
    filled = {name: value if isinstance(value, int) else conditional_escape(value) for name, value in values.items()}
    return mark_safe(phrase % filled)  # noqa: S308 - values escaped above, phrase from code and catalogs
