"""Write the demo curriculum into Wagtail: real pages with revisions, published, loaded idempotently.

Pages are matched by slug under their parent. A page whose live content already equals the files
is left alone (no new revision); a changed one gets a new revision that is published; a missing
one is created and published. The loader owns the demo content: a newer draft of a demo page is
superseded when its file changes. Lessons are added in file order; reordering existing lessons is
left to editors in the admin.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from wagtail.models import Locale, Site

from cms.models import AUDIENCES, HomePage
from lessons.authoring.quiz_checks import page_quiz_warnings
from lessons.authoring.services import ensure_catalogue_authoring
from lessons.models import Competence, CourseIndexPage, CoursePage, LessonPage

from .reader import CURRICULUM_ROOT, CurriculumError, read_curriculum, read_site, read_translations, stable_id

# UNESCO's AI competency frameworks (for students, 2024, and for teachers, 2024) group AI literacy
# into these areas; courses tag the areas they build.
COMPETENCES = [
    (
        "human_centred_mindset",
        "Human-centred mindset",
        "Keep people in charge of AI: human agency, accountability and the public good come first.",
    ),
    (
        "ethics",
        "Ethics of AI",
        "Use AI responsibly: fairness, privacy, safety, transparency and honesty about its use.",
    ),
    (
        "techniques_applications",
        "AI techniques and applications",
        "Understand how AI systems learn and generate, and apply them well to real tasks.",
    ),
    (
        "system_design",
        "AI system design",
        "Frame problems, choose data and design, test and improve AI systems with their users in mind.",
    ),
    ("pedagogy", "AI pedagogy", "Teach with and about AI so that it deepens learning instead of replacing it."),
]


@dataclass
class CourseResult:
    course: CoursePage
    outcomes: Counter  # "created" / "updated" / "unchanged" → number of pages (course and lessons)
    warnings: list = field(default_factory=list)  # "<lesson>: <quiz>: <answer-pattern warning>"


def _canonical(value):
    return json.dumps(value, sort_keys=True, default=str)


def _stream_data(stream_value):
    return stream_value.get_prep_value() if hasattr(stream_value, "get_prep_value") else stream_value


def _differs(page, fields):
    for name, wanted in fields.items():
        current = getattr(page, name)
        if name in {"body", "learning_outcomes", "entry_points"}:
            if _canonical(_stream_data(current)) != _canonical(wanted):
                return True
        elif current != wanted:
            return True
    return False


def update_page(page, fields, relations=None):
    """Publish a new revision of ``page`` with ``fields`` unless its live content already matches."""
    relations_differ = relations is not None and relations.differ(page)
    if page.live and not _differs(page, fields) and not relations_differ:
        return "unchanged"
    for name, value in fields.items():
        setattr(page, name, value)
    if relations:
        relations.apply(page)
    page.save_revision().publish()
    return "updated"


def sync_page(parent, model, slug, fields, relations=None):
    """Create, update or leave alone the child of ``parent`` with this slug; returns (page, outcome)."""
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is not None:
        return page, update_page(page, fields, relations)
    page = model(slug=slug, live=False, **fields)
    if relations:
        relations.apply(page)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page, "created"


class _CourseRelations:
    """Topics and competences of a course, applied to the page before its revision is saved."""

    def __init__(self, topics, competences):
        self.topics, self.competences = topics, competences

    def apply(self, course):
        course.topics.set(self.topics)
        course.competences.set(self.competences)

    def differ(self, course):
        return sorted(course.topics.names()) != sorted(self.topics) or {c.pk for c in course.competences.all()} != {
            c.pk for c in self.competences
        }


def ensure_competences():
    competences = {}
    for key, name, description in COMPETENCES:
        competence, _ = Competence.objects.update_or_create(
            key=key, defaults={"name": name, "description": description}
        )
        competences[key] = competence
    return competences


def ensure_catalogue(home, site):
    catalogue, _ = sync_page(
        home, CourseIndexPage, "courses", {"title": site.catalogue_title, "intro": site.catalogue_intro}
    )
    ensure_catalogue_authoring(catalogue)
    return catalogue


def home_fields(site, catalogue):
    """Hero and the three audience cards, each pointing at the catalogue filtered for that audience."""
    entries = [
        {
            "type": "audience",
            "id": stable_id("home", audience),
            "value": {
                "audience": audience,
                "heading": site.audiences[audience][0],
                "text": site.audiences[audience][1],
                "link": catalogue.pk,
                "link_text": site.browse_courses,
            },
        }
        for audience, _label in AUDIENCES
    ]
    return {"hero_heading": site.hero_heading, "hero_text": site.hero_text, "entry_points": entries}


def _editable(page):
    """A translation made as an alias (a live mirror of its source) becomes a page of its own."""
    if page.alias_of_id:
        page.alias_of = None
        page.save(update_fields=["alias_of"])
    return page


def _load_site_translation(home, catalogue, site, language):
    catalogue_translation = _editable(_translation(catalogue, language).specific)
    update_page(catalogue_translation, {"title": site.catalogue_title, "intro": site.catalogue_intro})
    home_translation = _editable(_translation(home, language).specific)
    update_page(home_translation, home_fields(site, catalogue_translation))


def _load_course(catalogue, data, competences):
    outcomes = Counter()
    course, outcome = sync_page(
        catalogue,
        CoursePage,
        data.slug,
        {
            "title": data.title,
            "audience": data.audience,
            "level": data.level,
            "estimated_minutes": data.estimated_minutes,
            "intro": data.intro,
            "learning_outcomes": data.outcomes,
        },
        _CourseRelations(data.topics, [competences[key] for key in data.competences]),
    )
    outcomes[outcome] += 1
    lessons = []
    for lesson in data.lessons:
        fields = {
            "title": lesson.title,
            "summary": lesson.summary,
            "estimated_minutes": lesson.estimated_minutes,
            "body": lesson.body,
        }
        page, outcome = sync_page(course, LessonPage, lesson.slug, fields)
        outcomes[outcome] += 1
        lessons.append(page)
    return CourseResult(course=course, outcomes=outcomes, warnings=_quiz_warnings(lessons))


def _quiz_warnings(lessons):
    return [f"{lesson.title}: {warning}" for lesson in lessons for warning in page_quiz_warnings(lesson)]


def _translation(source, language):
    """The page's translation into ``language``, created (as a draft copy) when missing."""
    locale, _created = Locale.objects.get_or_create(language_code=language)
    return source.get_translation_or_none(locale) or source.copy_for_translation(locale, copy_parents=True)


def _load_course_translation(source_course, data, language):
    outcomes = Counter()
    course = _translation(source_course, language).specific
    fields = {"title": data.title, "intro": data.intro, "learning_outcomes": data.outcomes}
    outcomes[update_page(course, fields, _CourseRelations(data.topics, list(source_course.competences.all())))] += 1
    source_lessons = {lesson.slug: lesson for lesson in LessonPage.objects.child_of(source_course)}
    lessons = []
    for lesson in data.lessons:
        page = _translation(source_lessons[lesson.slug], language).specific
        fields = {"title": lesson.title, "summary": lesson.summary, "body": lesson.body}
        outcomes[update_page(page, fields)] += 1
        lessons.append(page)
    return CourseResult(course=course, outcomes=outcomes, warnings=_quiz_warnings(lessons))


def source_home():
    """The home page in the curriculum's source language: the site's root page, or its (published) translation.

    With ``LANGUAGE_CODE=et`` a fresh database gets an Estonian root page; the English tree then
    hangs under its English translation, which must be live for ``/en/`` to be served.
    """
    home = Site.objects.get(is_default_site=True).root_page.specific
    if home.locale.language_code == settings.CURRICULUM_SOURCE_LANGUAGE:
        return home
    translated = _translation(home, settings.CURRICULUM_SOURCE_LANGUAGE).specific
    if not translated.live:
        translated.save_revision().publish()
    return translated


def load_demo_curriculum(root=None, report=lambda result: None):
    """Validate every file first, then create/update the catalogue, competences, courses, lessons and translations.

    ``report`` is called with a CourseResult after each course, so a command can show progress.
    Translations become Wagtail translations of the source pages (same translation key), one locale
    per language folder.
    """
    root = Path(root or CURRICULUM_ROOT)
    source_language = settings.CURRICULUM_SOURCE_LANGUAGE
    competence_keys = [key for key, _name, _description in COMPETENCES]
    audience_order = [audience for audience, _label in AUDIENCES]
    # The catalogue lists courses in creation order: students first, then teachers, then businesses.
    courses = sorted(
        read_curriculum(root / source_language, competence_keys), key=lambda c: audience_order.index(c.audience)
    )
    translations = read_translations(root, courses, competence_keys, source_language)
    sites = {folder.name: read_site(folder) for folder in sorted(root.iterdir()) if folder.is_dir()}
    if sites.get(source_language) is None:
        raise CurriculumError(f"{root / source_language}: missing site.toml (home page and catalogue texts)")
    results = []
    with transaction.atomic():
        home = source_home()
        competences = ensure_competences()
        catalogue = ensure_catalogue(home, sites[source_language])
        sources = {}
        for data in courses:
            results.append(_load_course(catalogue, data, competences))
            sources[data.slug] = results[-1].course
            report(results[-1])
        update_page(HomePage.objects.get(pk=home.pk), home_fields(sites[source_language], catalogue))
        for language, site in sites.items():
            if language != source_language and site is not None:
                _load_site_translation(home, catalogue, site, language)
        for language, translated_courses in translations.items():
            for data in translated_courses:
                results.append(_load_course_translation(sources[data.slug], data, language))
                report(results[-1])
    return results
