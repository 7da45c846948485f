"""Dates shown to people, written the way the reader's language writes them: ``{% load lesson_dates %}``.

``{{ value|local_date }}`` or ``{{ value|local_date:"long_date" }}``; Python code calls ``local_date(value, style)``.
Each style's pattern is a translatable string in Django's date syntax. English keeps the patterns the
pages have always used; a translation gives its language's pattern or names one of Django's locale
formats (``DATE_FORMAT``, ``SHORT_DATE_FORMAT``, …), and Django writes the month names in the active
language. Machine-readable dates (``datetime`` attributes, CSV cells, the training record's columns)
stay ISO and do not come through here.
"""

import datetime

from django import template
from django.utils import formats, timezone
from django.utils.translation import pgettext_lazy

register = template.Library()

DATE_STYLES = {
    # Translators: a date in Django's date syntax (https://docs.djangoproject.com/en/stable/ref/templates/builtins/#date),
    # or a Django format name such as SHORT_DATE_FORMAT. English shows "5 Dec 2026".
    "date": pgettext_lazy("date format", "j M Y"),
    # Translators: a date with a two-digit day, in Django's date syntax or a format name. English shows "05 Dec 2026".
    "padded_date": pgettext_lazy("date format", "d M Y"),
    # Translators: a date on a certificate, in Django's date syntax or a format name such as DATE_FORMAT.
    # English shows "5 December 2026".
    "long_date": pgettext_lazy("date format", "j F Y"),
    # Translators: a date and time, in Django's date syntax. English shows "5 Dec 2026, 14:07".
    "datetime": pgettext_lazy("date format", "j M Y, H:i"),
    # Translators: a date and time on a printed record, in Django's date syntax. English shows "5 December 2026, 14:07".
    "long_datetime": pgettext_lazy("date format", "j F Y, H:i"),
    # Translators: a day and month without the year, in Django's date syntax. English shows "5 Dec".
    "day_month": pgettext_lazy("date format", "j M"),
}


def local_date(value, style="date"):
    """``value`` (a date, or a datetime shown in the current time zone) in the active language; "" when empty."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, str(DATE_STYLES[style]))


register.filter("local_date", local_date, expects_localtime=True)
