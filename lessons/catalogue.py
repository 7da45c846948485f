"""Reads for the course catalogue: which published courses match the learner's filters.

The filters arrive as GET parameters (shareable links such as the home page's
``/courses/?audience=teachers``); a Django form validates them so an unknown value is
reported to the learner and ignored instead of breaking the page.

A catalogue in a translation lists its own courses and, for courses not translated into its
language yet, the original (``CURRICULUM_SOURCE_LANGUAGE``), in the original's order; such a
course has ``shown_in_other_language`` set so the page can say so.
"""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag
from wagtail.models import Locale

from cms.models import AUDIENCES

from .models.pages import LEVELS, CoursePage, CourseTag


def catalogue_courses(index):
    """Live courses of this catalogue plus the originals of courses it has no translation of."""
    own = CoursePage.objects.child_of(index).live()
    source_locale = Locale.objects.filter(language_code=settings.CURRICULUM_SOURCE_LANGUAGE).first()
    source = index.get_translation_or_none(source_locale) if source_locale else None
    if source is None or source.pk == index.pk:
        return own
    missing = CoursePage.objects.child_of(source).live().exclude(translation_key__in=own.values("translation_key"))
    return CoursePage.objects.filter(pk__in=[*own.values_list("pk", flat=True), *missing.values_list("pk", flat=True)])


def source_order(courses, index):
    """Courses in the original catalogue's order; fallbacks marked ``shown_in_other_language``."""
    originals = (
        CoursePage.objects.filter(
            translation_key__in={course.translation_key for course in courses},
            locale__language_code=settings.CURRICULUM_SOURCE_LANGUAGE,
        )
        .order_by("path")
        .values_list("translation_key", flat=True)
    )
    positions = {key: position for position, key in enumerate(originals)}
    ordered = sorted(courses, key=lambda course: (positions.get(course.translation_key, len(positions)), course.path))
    for course in ordered:
        course.shown_in_other_language = course.locale_id != index.locale_id
    return ordered


def topic_choices(index):
    """Topics used by at least one live course in this catalogue, alphabetically."""
    courses = catalogue_courses(index)
    tags = Tag.objects.filter(id__in=CourseTag.objects.filter(content_object__in=courses).values("tag_id")).order_by(
        "name"
    )
    return [(tag.slug, tag.name) for tag in tags]


class CatalogueFilterForm(forms.Form):
    audience = forms.ChoiceField(choices=[("", _("All audiences")), *AUDIENCES], required=False, label=_("Audience"))
    level = forms.ChoiceField(choices=[("", _("All levels")), *LEVELS], required=False, label=_("Level"))
    topic = forms.ChoiceField(required=False, label=_("Topic"))

    def __init__(self, *args, topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", _("All topics")), *topics]


def filter_courses(index, params):
    """Return ``(form, courses)``: the bound filter form and the live courses matching its valid filters.

    An invalid filter (an audience, level or topic that does not exist) becomes a form error and
    is not applied, so the learner still sees courses and a message saying what was wrong.
    """
    form = CatalogueFilterForm(params or None, topics=topic_choices(index))
    courses = catalogue_courses(index)
    if form.is_bound:
        form.is_valid()
        chosen = {name: value for name, value in form.cleaned_data.items() if value}
        if "audience" in chosen:
            courses = courses.filter(audience=chosen["audience"])
        if "level" in chosen:
            courses = courses.filter(level=chosen["level"])
        if "topic" in chosen:
            courses = courses.filter(tagged_items__tag__slug=chosen["topic"]).distinct()
    return form, source_order(list(courses), index)
