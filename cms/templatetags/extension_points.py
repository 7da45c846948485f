"""Slots in page templates that other apps fill through Wagtail hooks.

A template marks a slot with ``{% extension_point "lesson_page_aside" page %}``; every function
registered with ``@hooks.register("lesson_page_aside")`` is called as ``fn(context, *args)`` and
returns HTML (a safe string from ``render_to_string``; plain strings are escaped; "" adds nothing),
rendered in hook order. This is how ``tutor`` adds its panel and links to pages owned by ``cms``
and ``lessons`` without either of them naming it, so the site renders the same with ``tutor``
switched off, only without those parts.

The slots, with the arguments their hooks receive after the template context:

* ``signed_in_navigation`` — items (``<li>``) of the main navigation for a signed-in user;
* ``lesson_page_aside`` (lesson page) — panels beside a lesson;
* ``group_page_links`` (group) — links on a class or team page;
* ``organisation_page_sections`` (organisation) — sections of an organisation's admin page;
* ``account_deletion_consequences`` — items (``<li>``) saying what deleting the account does to
  the app's data, on the confirmation page;
* ``dashboard_sections`` — sections at the end of the signed-in learner's dashboard;
* ``welcome_next_steps`` — what a new account can do first, on the welcome page after sign-up;
* ``login_options`` — other ways to log in or sign up (a provider's button), below the log-in and
  sign-up forms; the context has the page's ``next``;
* ``account_deletion_without_password`` — how an account without a usable password (made by signing
  in elsewhere) confirms its deletion, in place of the password form on the confirmation page.
"""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from wagtail import hooks

register = template.Library()


@register.simple_tag(takes_context=True)
def extension_point(context, name, *args):
    return mark_safe("".join(conditional_escape(fn(context, *args)) for fn in hooks.get_hooks(name)))  # noqa: S308
