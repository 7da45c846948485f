"""Site pages that are not course content (the home page and plain standard pages), and account preferences."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from .blocks import CONTENT_BLOCKS, labelled

AUDIENCES = [("students", _("Students")), ("teachers", _("Teachers")), ("business", _("Businesses"))]


class AudienceEntryBlock(blocks.StructBlock):
    audience = labelled(blocks.ChoiceBlock(choices=AUDIENCES), _("Audience"))
    heading = labelled(blocks.CharBlock(max_length=80), _("Heading"))
    text = labelled(blocks.TextBlock(max_length=300), _("Text"))
    link = labelled(blocks.PageChooserBlock(required=False), _("Link"))
    link_text = labelled(blocks.CharBlock(max_length=60, default="Browse courses"), _("Link text"))

    class Meta:
        icon = "group"
        label = _("Audience entry")
        template = "cms/blocks/audience_entry.html"


class HomePage(Page):
    hero_heading = models.CharField(_("hero heading"), max_length=120, default="Understand AI. Use it well.")
    hero_text = RichTextField(_("hero text"), features=["bold", "italic", "link"], blank=True)
    entry_points = StreamField(
        [("audience", AudienceEntryBlock())], blank=True, use_json_field=True, verbose_name=_("entry points")
    )
    body = StreamField(CONTENT_BLOCKS, blank=True, use_json_field=True, verbose_name=_("body"))

    content_panels = Page.content_panels + [
        FieldPanel("hero_heading"),
        FieldPanel("hero_text"),
        FieldPanel("entry_points"),
        FieldPanel("body"),
    ]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")


class StandardPage(Page):
    introduction = models.TextField(_("introduction"), blank=True)
    body = StreamField(CONTENT_BLOCKS, blank=True, use_json_field=True, verbose_name=_("body"))

    content_panels = Page.content_panels + [FieldPanel("introduction"), FieldPanel("body")]

    class Meta:
        verbose_name = _("standard page")
        verbose_name_plural = _("standard pages")


class AccountPreferences(models.Model):
    """What a person chose for their account; today the interface language, applied at each log-in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="account_preferences",
        verbose_name=_("user"),
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("account preferences")
        verbose_name_plural = _("account preferences")

    def __str__(self):
        return f"{self.user}: {self.language}"


class SignupRequest(models.Model):
    """A sign-up waiting for its e-mail address to be confirmed: the account is created only then.

    A sign-up with an address that already has an account stores and changes nothing (the address
    is told by e-mail instead), so the sign-up form answers the same either way and cannot be used
    to find out who has an account. Rows older than ``cms.signup.CONFIRMATION_PERIOD`` are dead and
    are deleted by later sign-ups.
    """

    token_hash = models.CharField(max_length=64, unique=True)  # SHA-256 of the link's token; the token is only mailed
    username = models.CharField(_("username"), max_length=150)
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"))
    password = models.CharField(max_length=128)  # hashed, as on the user it becomes
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    next_url = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("sign-up request")
        verbose_name_plural = _("sign-up requests")

    def __str__(self):
        return f"{self.username} <{self.email}>"
