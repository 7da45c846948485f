"""Site pages that are not course content: the home page and plain standard pages."""

from django.db import models
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from .blocks import CONTENT_BLOCKS

AUDIENCES = [("students", "Students"), ("teachers", "Teachers"), ("business", "Businesses")]


class AudienceEntryBlock(blocks.StructBlock):
    audience = blocks.ChoiceBlock(choices=AUDIENCES)
    heading = blocks.CharBlock(max_length=80)
    text = blocks.TextBlock(max_length=300)
    link = blocks.PageChooserBlock(required=False)
    link_text = blocks.CharBlock(max_length=60, default="Browse courses")

    class Meta:
        icon = "group"
        template = "cms/blocks/audience_entry.html"


class HomePage(Page):
    hero_heading = models.CharField(max_length=120, default="Understand AI. Use it well.")
    hero_text = RichTextField(features=["bold", "italic", "link"], blank=True)
    entry_points = StreamField([("audience", AudienceEntryBlock())], blank=True, use_json_field=True)
    body = StreamField(CONTENT_BLOCKS, blank=True, use_json_field=True)

    content_panels = Page.content_panels + [
        FieldPanel("hero_heading"),
        FieldPanel("hero_text"),
        FieldPanel("entry_points"),
        FieldPanel("body"),
    ]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]


class StandardPage(Page):
    introduction = models.TextField(blank=True)
    body = StreamField(CONTENT_BLOCKS, blank=True, use_json_field=True)

    content_panels = Page.content_panels + [FieldPanel("introduction"), FieldPanel("body")]
