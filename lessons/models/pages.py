"""The course tree: catalogue → course → lesson."""

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from cms.models import AUDIENCES
from lessons.blocks import LESSON_BODY_BLOCKS, labelled

LEVELS = [("beginner", _("Beginner")), ("intermediate", _("Intermediate")), ("advanced", _("Advanced"))]


@register_snippet
class Competence(models.Model):
    """An area of UNESCO's AI competency frameworks (for students and for teachers)."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("competence")
        verbose_name_plural = _("competences")

    def __str__(self):
        return self.name


class CourseTag(TaggedItemBase):
    content_object = ParentalKey("lessons.CoursePage", related_name="tagged_items", on_delete=models.CASCADE)


class CourseIndexPage(Page):
    intro = RichTextField(_("intro"), features=["bold", "italic", "link"], blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["lessons.CoursePage"]
    max_count_per_parent = 1  # one catalogue per home page, i.e. per language

    class Meta:
        verbose_name = _("course index page")
        verbose_name_plural = _("course index pages")

    def get_context(self, request, *args, **kwargs):
        from lessons.catalogue import filter_courses  # the catalogue selector imports these models

        context = super().get_context(request, *args, **kwargs)
        context["filter_form"], context["courses"] = filter_courses(self, request.GET)
        return context


class CoursePage(RoutablePageMixin, Page):
    audience = models.CharField(_("audience"), max_length=20, choices=AUDIENCES, default="students")
    level = models.CharField(_("level"), max_length=20, choices=LEVELS, default="beginner")
    estimated_minutes = models.PositiveIntegerField(_("estimated minutes"), default=60)
    intro = RichTextField(_("intro"), features=["bold", "italic", "link", "ul"], blank=True)
    learning_outcomes = StreamField(
        [("outcome", labelled(blocks.CharBlock(max_length=250), _("Outcome")))],
        blank=True,
        use_json_field=True,
        verbose_name=_("learning outcomes"),
    )
    competences = ParentalManyToManyField(Competence, blank=True, related_name="courses", verbose_name=_("competences"))
    topics = ClusterTaggableManager(through=CourseTag, blank=True, verbose_name=_("topics"))
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("cover image"),
    )

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("audience"), FieldPanel("level"), FieldPanel("estimated_minutes")],
            heading=_("Who and how long"),
        ),
        FieldPanel("intro"),
        FieldPanel("learning_outcomes"),
        FieldPanel("competences", widget=forms.CheckboxSelectMultiple),
        FieldPanel("topics"),
        FieldPanel("cover_image"),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.FilterField("audience")]
    parent_page_types = ["lessons.CourseIndexPage"]
    subpage_types = ["lessons.LessonPage"]

    class Meta:
        verbose_name = _("course page")
        verbose_name_plural = _("course pages")

    def lessons(self):
        return LessonPage.objects.child_of(self).live().order_by("path")

    def glossary_terms(self):
        """Every key term of the course's live lessons, alphabetically, each with the lesson defining it."""
        terms = [
            {"term": block.value["term"], "definition": block.value["definition"], "lesson": lesson}
            for lesson in self.lessons()
            for block in lesson.body
            if block.block_type == "key_term"
        ]
        return sorted(terms, key=lambda entry: entry["term"].casefold())

    def glossary_url(self):
        return self.url + self.reverse_subpage("glossary")

    @path("glossary/", name="glossary")
    def glossary(self, request):
        return self.render(
            request,
            template="lessons/course_glossary_page.html",
            context_overrides={"terms": self.glossary_terms()},
        )


class LessonPage(Page):
    summary = models.TextField(_("summary"), max_length=500, blank=True)
    estimated_minutes = models.PositiveIntegerField(_("estimated minutes"), default=15)
    body = StreamField(LESSON_BODY_BLOCKS, use_json_field=True, verbose_name=_("body"))

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("estimated_minutes"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["lessons.CoursePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("lesson page")
        verbose_name_plural = _("lesson pages")

    @property
    def course(self):
        return self.get_parent().specific

    def table_of_contents(self):
        """``[(anchor, text)]`` of the heading blocks: the page's section links and the tutor's citation targets."""
        return [(block.value.anchor_id(), block.value["text"]) for block in self.body if block.block_type == "heading"]

    def _live_sibling(self, siblings, order):
        # A link (title, URL): the specific fields, the body above all, are left unread.
        return siblings.live().type(LessonPage).specific(defer=True).order_by(order).first()

    def previous_lesson(self):
        return self._live_sibling(self.get_prev_siblings(), "-path")

    def next_lesson(self):
        return self._live_sibling(self.get_next_siblings(), "path")
