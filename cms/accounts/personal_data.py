"""What a person downloads from their account page: everything the site holds about them.

``cms`` owns the account page but not most of the data, and names no other app: each app adds its
part through the Wagtail hook ``personal_data_sections`` — ``fn(user)`` returns an iterable of
:class:`Section` — so the archive is complete with whichever apps are installed. The archive is a
zip of ``data.json`` (every section's ``data`` under its ``key``, for machines and other services)
and ``index.html`` (the same, readable, in the person's language). Erasing is in
``cms.accounts.services``.
"""

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks

from cms.models import AccountPreferences

SECTIONS_HOOK = "personal_data_sections"
ARCHIVE_FORMAT_VERSION = 1


@dataclass(frozen=True)
class Section:
    """One part of the archive.

    ``data`` goes into ``data.json`` under ``key`` as it is: anything JSON can hold, plus dates and
    times (written as ISO 8601). ``index.html`` shows ``title`` and ``description``, then either
    ``data`` (a list of dicts) as a table of ``columns`` — ``(key, heading)`` pairs, so a section
    can keep fields in the JSON that mean nothing to a reader, such as option ids — or, for nested
    data, ``template`` rendered with ``section`` in its context.
    """

    key: str
    title: str
    data: object
    columns: tuple = ()
    template: str = ""
    description: str = ""

    @property
    def is_record(self) -> bool:
        """One dict (shown as headings and values) rather than a list of rows (shown as a table)."""
        return isinstance(self.data, dict)

    def facts(self):
        """A single-record section as (heading, readable value) pairs."""
        return [(heading, readable(self.data.get(key))) for key, heading in self.columns]

    def table(self):
        """The rows of ``data`` as readable cells in the order of ``columns``."""
        return [[readable(row.get(key)) for key, _heading in self.columns] for row in self.data]


def readable(value):
    """A JSON value as a person reads it in the active language: dates, yes/no, lists, "—"."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, date):
        return date_format(value, "DATE_FORMAT")
    if isinstance(value, list | tuple):
        return ", ".join(readable(item) for item in value)
    return str(value)


def profile_section(user) -> Section:
    """The account itself, which ``cms`` owns."""
    preferences = AccountPreferences.objects.filter(user=user).first()
    profile = {
        "username": user.get_username(),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "language": preferences.language if preferences else "",
    }
    columns = (
        ("username", gettext_lazy("Username")),
        ("first_name", gettext_lazy("First name")),
        ("last_name", gettext_lazy("Last name")),
        ("email", gettext_lazy("E-mail")),
        ("date_joined", gettext_lazy("Signed up")),
        ("last_login", gettext_lazy("Last log-in")),
        ("language", gettext_lazy("Language")),
    )
    return Section("profile", _("Your account"), profile, columns=columns)


def sections_for(user) -> list[Section]:
    sections = [profile_section(user)]
    for contribute in hooks.get_hooks(SECTIONS_HOOK):
        sections.extend(contribute(user))
    return sections


def archive_name(user, now) -> str:
    return f"ai-literacy-data-{slugify(user.get_username()) or user.pk}-{timezone.localdate(now).isoformat()}"


def build_archive(user, *, now=None) -> tuple[str, bytes]:
    """``(file name, zip bytes)`` of everything the apps hold about ``user``, as JSON and as HTML."""
    now = now or timezone.now()
    sections = sections_for(user)
    name = archive_name(user, now)
    document = {
        "format": ARCHIVE_FORMAT_VERSION,
        "generated_at": now,
        "site": settings.WAGTAIL_SITE_NAME,
        "sections": {section.key: section.data for section in sections},
    }
    html = render_to_string("cms/account/personal_data_archive.html", {"sections": sections, "generated_at": now})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{name}/data.json", json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
        archive.writestr(f"{name}/index.html", html)
    return f"{name}.zip", buffer.getvalue()
