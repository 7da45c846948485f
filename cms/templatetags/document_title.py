"""The browser tab's title: the page's own title, then the site's name, never the name twice."""

from django import template
from django.utils.html import conditional_escape
from django.utils.translation import gettext

register = template.Library()


@register.filter(is_safe=True)
def with_site_name(title):
    """ "<title> · <site name>", or the site name alone on the home page, whose title is the site's name.

    ``title`` is a rendered, already escaped template block; ``is_safe`` keeps it from being escaped again.
    """
    site_name = conditional_escape(gettext("AI Literacy"))
    title = " ".join(str(title).split())
    if not title or title == site_name:
        return site_name
    return f"{title} · {site_name}"
