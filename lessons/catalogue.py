"""Reads for the course catalogue: which published courses match the learner's filters.

The filters arrive as GET parameters (shareable links such as the home page's
``/courses/?audience=teachers``); a Django form validates them so an unknown value is
reported to the learner and ignored instead of breaking the page.
"""

from django import forms
from taggit.models import Tag

from cms.models import AUDIENCES

from .models.pages import LEVELS, CoursePage, CourseTag


def topic_choices(index):
    """Topics used by at least one live course in this catalogue, alphabetically."""
    courses = CoursePage.objects.child_of(index).live()
    tags = Tag.objects.filter(id__in=CourseTag.objects.filter(content_object__in=courses).values("tag_id")).order_by(
        "name"
    )
    return [(tag.slug, tag.name) for tag in tags]


class CatalogueFilterForm(forms.Form):
    audience = forms.ChoiceField(choices=[("", "All audiences"), *AUDIENCES], required=False, label="Audience")
    level = forms.ChoiceField(choices=[("", "All levels"), *LEVELS], required=False, label="Level")
    topic = forms.ChoiceField(required=False, label="Topic")

    def __init__(self, *args, topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", "All topics"), *topics]


def filter_courses(index, params):
    """Return ``(form, courses)``: the bound filter form and the live courses matching its valid filters.

    An invalid filter (an audience, level or topic that does not exist) becomes a form error and
    is not applied, so the learner still sees courses and a message saying what was wrong.
    """
    form = CatalogueFilterForm(params or None, topics=topic_choices(index))
    courses = CoursePage.objects.child_of(index).live().order_by("path")
    if form.is_bound:
        form.is_valid()
        chosen = {name: value for name, value in form.cleaned_data.items() if value}
        if "audience" in chosen:
            courses = courses.filter(audience=chosen["audience"])
        if "level" in chosen:
            courses = courses.filter(level=chosen["level"])
        if "topic" in chosen:
            courses = courses.filter(tagged_items__tag__slug=chosen["topic"]).distinct()
    return form, courses
