"""Read the demo curriculum (TOML under ``lessons/curriculum/demo/``) into validated page data.

Layout: one folder per language (``en/``, the source, and its translations ``et/``, ``ru/`` …), in
it one folder per course holding ``course.toml`` and ``NN-<lesson-slug>.toml`` files, read in
file-name order. A translation has the same files, keys and block order as the source and
translates only the text; its headings keep the source's anchors (by position), so a citation or a
language switch lands on the same section. Adding a language means adding its folder. A lesson's
``body`` is an array of tables whose ``type`` is heading, paragraph, callout, key_term, example,
reflection, teacher_note, quiz (with optional ``questions_per_attempt``, ``cooldown_minutes``,
``max_attempts`` and per-option ``pinned``) or sources (see the ai-basics files).

Everything is checked before anything is written, and every problem names its file and place.
HTML is sanitised with nh3 down to the tags the target rich-text field allows, so a ``<script>``
or an ``onerror=`` in a content file never reaches a page. Every StreamField block and ListBlock
item gets an id derived from its place in the file (e.g. ``quiz-1/question-2/option-3``), so
loading the same files again yields identical data: quiz attempts and reflection notes keep
pointing at the same question, option and block ids.
"""

import tomllib
import uuid
from dataclasses import dataclass
from pathlib import Path

import nh3
from django.core.exceptions import ValidationError
from django.utils.text import slugify

from cms.blocks import RICH_TEXT_FEATURES
from cms.models import AUDIENCES
from lessons.models.pages import LEVELS, CoursePage, LessonPage

CURRICULUM_ROOT = Path(__file__).resolve().parent / "demo"
CURRICULUM_DIR = CURRICULUM_ROOT / "en"
ID_NAMESPACE = uuid.UUID("6f1e0c52-4c1b-4a8e-9d0e-7a3c2b1d9e10")

# The HTML tags behind each Wagtail rich-text feature; sanitising keeps only what the field allows.
FEATURE_TAGS = {
    "h3": {"h3"},
    "h4": {"h4"},
    "bold": {"b", "strong"},
    "italic": {"i", "em"},
    "link": {"a"},
    "ol": {"ol", "li"},
    "ul": {"ul", "li"},
    "blockquote": {"blockquote"},
    "code": {"code"},
}
CALLOUT_FEATURES = ["bold", "italic", "link", "ul", "ol"]
INTRO_FEATURES = ["bold", "italic", "link", "ul"]


class CurriculumError(Exception):
    """A content file is missing, malformed or invalid; the message says which file and where."""


@dataclass(frozen=True)
class LessonData:
    slug: str
    title: str
    summary: str
    estimated_minutes: int
    body: list
    source: Path


@dataclass(frozen=True)
class SiteData:
    """The home page and catalogue texts of one language (``site.toml``)."""

    hero_heading: str
    hero_text: str
    catalogue_title: str
    catalogue_intro: str
    browse_courses: str
    audiences: dict  # audience → (heading, text)


@dataclass(frozen=True)
class CourseData:
    slug: str
    title: str
    audience: str
    level: str
    estimated_minutes: int
    intro: str
    outcomes: list
    topics: list
    competences: list
    lessons: list
    source: Path


def sanitise_html(html, features):
    """Keep the tags of ``features`` plus p and br; links keep only an http(s)/mailto href."""
    tags = {"p", "br"}.union(*(FEATURE_TAGS[feature] for feature in features))
    return nh3.clean(
        html,
        tags=tags,
        attributes={"a": {"href"}} if "a" in tags else {},
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
    ).strip()


def stable_id(*parts):
    return str(uuid.uuid5(ID_NAMESPACE, "/".join(str(part) for part in parts)))


class _Table:
    """A TOML table plus where it came from, so every error can name the file and position."""

    def __init__(self, data, where):
        if not isinstance(data, dict):
            raise CurriculumError(f"{where}: expected a table, got {type(data).__name__}")
        self.data, self.where = data, where

    def get(self, key, kind, *, required=True, default=None):
        if key not in self.data:
            if required:
                raise CurriculumError(f"{self.where}: missing required key '{key}'")
            return default
        value = self.data[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            expected = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise CurriculumError(f"{self.where}: '{key}' must be {expected}, got {type(value).__name__}")
        if isinstance(value, str) and required and not value.strip():
            raise CurriculumError(f"{self.where}: '{key}' must not be empty")
        return value

    def choice(self, key, choices, default=None):
        value = self.get(key, str, required=default is None, default=default)
        allowed = [name for name, _label in choices]
        if value not in allowed:
            raise CurriculumError(f"{self.where}: '{key}' is '{value}', expected one of {', '.join(allowed)}")
        return value

    def strings(self, key):
        values = self.get(key, list)
        if not all(isinstance(value, str) and value.strip() for value in values):
            raise CurriculumError(f"{self.where}: '{key}' must be a list of non-empty strings")
        return values

    def tables(self, key):
        return [_Table(item, f"{self.where} {key}[{n}]") for n, item in enumerate(self.get(key, list), start=1)]


def _quiz(table, quiz_id):
    questions = table.tables("questions")
    if not questions:
        raise CurriculumError(f"{table.where}: a quiz needs at least one question")
    items = []
    for q_number, question in enumerate(questions, start=1):
        kind = question.choice("kind", [("single", ""), ("multiple", "")], default="single")
        options = question.tables("options")
        correct = [option.get("correct", bool) for option in options]
        if len(options) < 2:
            raise CurriculumError(f"{question.where}: a question needs at least two options")
        if kind == "single" and sum(correct) != 1:
            raise CurriculumError(f"{question.where}: a single-answer question needs exactly one correct option")
        if kind == "multiple" and not any(correct):
            raise CurriculumError(f"{question.where}: a multiple-answer question needs at least one correct option")
        question_id = f"{quiz_id}/question-{q_number}"
        option_items = [
            {
                "type": "item",
                "id": stable_id(question_id, f"option-{o_number}"),
                "value": {
                    "text": option.get("text", str),
                    "is_correct": is_correct,
                    "feedback": option.get("feedback", str, required=False, default=""),
                    "pinned": option.get("pinned", bool, required=False, default=False),
                },
            }
            for o_number, (option, is_correct) in enumerate(zip(options, correct, strict=True), start=1)
        ]
        value = {
            "prompt": question.get("prompt", str),
            "kind": kind,
            "options": option_items,
            "explanation": question.get("explanation", str, required=False, default=""),
        }
        items.append({"type": "item", "id": stable_id(question_id), "value": value})
    return {
        "title": table.get("title", str, required=False, default="Check your understanding"),
        "pass_mark": table.get("pass_mark", int, required=False, default=70),
        "questions": items,
        "questions_per_attempt": _optional_count(table, "questions_per_attempt", maximum=len(items)),
        "cooldown_minutes": table.get("cooldown_minutes", int, required=False, default=None),
        "max_attempts": table.get("max_attempts", int, required=False, default=None),
    }


def _optional_count(table, key, *, maximum):
    value = table.get(key, int, required=False, default=None)
    if value is not None and not 1 <= value <= maximum:
        raise CurriculumError(f"{table.where}: '{key}' must be between 1 and the number of questions ({maximum})")
    return value


def _sources(table, block_key):
    return {
        "items": [
            {
                "type": "item",
                "id": stable_id(block_key, f"source-{number}"),
                "value": {
                    "title": source.get("title", str),
                    "publisher": source.get("publisher", str),
                    "date": source.get("date", str, required=False, default=""),
                    "url": source.get("url", str, required=False, default=""),
                },
            }
            for number, source in enumerate(table.tables("items"), start=1)
        ],
        "last_checked": table.get("last_checked", str, required=False, default=None),
    }


def _block_value(table, block_type, block_key):
    """The StreamField value of one body table (``block_key`` seeds the ids of nested items)."""
    if block_type == "heading":
        return {"text": table.get("text", str), "anchor": table.get("anchor", str, required=False, default="")}
    if block_type == "paragraph":
        return sanitise_html(table.get("html", str), RICH_TEXT_FEATURES)
    if block_type == "callout":
        return {
            "kind": table.choice("kind", [("tip", ""), ("warning", ""), ("ethics", "")]),
            "title": table.get("title", str, required=False, default=""),
            "text": sanitise_html(table.get("html", str), CALLOUT_FEATURES),
        }
    if block_type == "key_term":
        return {"term": table.get("term", str), "definition": table.get("definition", str)}
    if block_type == "example":
        return {
            "kind": table.choice("kind", [("worked_example", ""), ("case_study", "")]),
            "title": table.get("title", str),
            "text": sanitise_html(table.get("html", str), RICH_TEXT_FEATURES),
        }
    if block_type == "reflection":
        return {"prompt": table.get("prompt", str)}
    if block_type == "teacher_note":
        return {"text": sanitise_html(table.get("html", str), RICH_TEXT_FEATURES)}
    if block_type == "sources":
        return _sources(table, block_key)
    return _quiz(table, block_key)


BODY_TYPES = (
    "heading",
    "paragraph",
    "callout",
    "key_term",
    "example",
    "reflection",
    "teacher_note",
    "quiz",
    "sources",
)


def body_to_stream(tables, id_scope):
    """StreamField raw data for a lesson body; block ids count per type ("quiz-1", "reflection-2")."""
    counts, stream = {}, []
    for table in tables:
        block_type = table.get("type", str)
        if block_type not in BODY_TYPES:
            raise CurriculumError(
                f"{table.where}: unknown block type '{block_type}' (expected {', '.join(BODY_TYPES)})"
            )
        counts[block_type] = counts.get(block_type, 0) + 1
        block_key = f"{id_scope}/{block_type}-{counts[block_type]}"
        stream.append(
            {"type": block_type, "value": _block_value(table, block_type, block_key), "id": stable_id(block_key)}
        )
    return stream


def _validate_stream(model, field_name, stream, where):
    """Run Wagtail's own block validation (lengths, required values) before anything is saved."""
    field = model._meta.get_field(field_name)
    try:
        field.stream_block.clean(field.to_python(stream))
    except ValidationError as error:
        raise CurriculumError(f"{where}: {field_name} is invalid: {error}") from error


def read_lesson(path, course_slug, id_prefix=""):
    table = _Table(_load_toml(path), path.name)
    slug = table.get("slug", str)
    body_tables = table.tables("body")
    body = body_to_stream(body_tables, f"{id_prefix}{course_slug}/{slug}")
    _validate_stream(LessonPage, "body", body, f"{course_slug}/{path.name}")
    return LessonData(
        slug=slug,
        title=table.get("title", str),
        summary=table.get("summary", str, required=False, default=""),
        estimated_minutes=table.get("estimated_minutes", int, required=False, default=15),
        body=body,
        source=path,
    )


def read_course(directory, competence_keys, id_prefix=""):
    path = directory / "course.toml"
    table = _Table(_load_toml(path), f"{directory.name}/course.toml")
    slug = table.get("slug", str)
    competences = table.strings("competences")
    unknown = sorted(set(competences) - set(competence_keys))
    if unknown:
        raise CurriculumError(f"{table.where}: unknown competence keys {', '.join(unknown)}")
    outcomes = [
        {"type": "outcome", "value": text, "id": stable_id(slug, f"outcome-{n}")}
        for n, text in enumerate(table.strings("outcomes"), start=1)
    ]
    _validate_stream(CoursePage, "learning_outcomes", outcomes, table.where)
    lesson_paths = sorted(p for p in directory.glob("*.toml") if p.name != "course.toml")
    lessons = [read_lesson(lesson_path, slug, id_prefix) for lesson_path in lesson_paths]
    if len({lesson.slug for lesson in lessons}) != len(lessons):
        raise CurriculumError(f"{directory.name}: two lessons share a slug")
    return CourseData(
        slug=slug,
        title=table.get("title", str),
        audience=table.choice("audience", AUDIENCES),
        level=table.choice("level", LEVELS),
        estimated_minutes=table.get("estimated_minutes", int),
        intro=sanitise_html(table.get("intro", str), INTRO_FEATURES),
        outcomes=outcomes,
        topics=table.strings("topics"),
        competences=competences,
        lessons=lessons,
        source=path,
    )


def read_curriculum(directory=CURRICULUM_DIR, competence_keys=()):
    """All courses under ``directory`` (one sub-folder each, in name order), fully validated."""
    course_dirs = sorted(path for path in Path(directory).iterdir() if (path / "course.toml").is_file())
    if not course_dirs:
        raise CurriculumError(f"{directory}: no course folders (each needs a course.toml)")
    return [read_course(course_dir, competence_keys) for course_dir in course_dirs]


def read_translations(root, source_courses, competence_keys=(), source_language="en"):
    """``{language: [CourseData]}`` for every language folder under ``root`` but the source's.

    Each translated course must match a source course by slug, its lessons by slug and its
    headings by count; its headings take the source's anchors in order.
    """
    sources = {course.slug: course for course in source_courses}
    translations = {}
    for folder in sorted(path for path in Path(root).iterdir() if path.is_dir() and path.name != source_language):
        courses = [
            read_course(course_dir, competence_keys, id_prefix=f"{folder.name}/")
            for course_dir in sorted(p for p in folder.iterdir() if (p / "course.toml").is_file())
        ]
        for course in courses:
            _match_source(course, sources, folder.name)
        translations[folder.name] = courses
    return translations


def read_site(folder):
    """The ``site.toml`` of a language folder, or None when the folder has none."""
    path = Path(folder) / "site.toml"
    if not path.is_file():
        return None
    table = _Table(_load_toml(path), f"{Path(folder).name}/site.toml")
    audiences = _Table(table.get("audiences", dict), f"{table.where} audiences")
    return SiteData(
        hero_heading=table.get("hero_heading", str),
        hero_text=sanitise_html(table.get("hero_text", str), INTRO_FEATURES),
        catalogue_title=table.get("catalogue_title", str),
        catalogue_intro=sanitise_html(table.get("catalogue_intro", str), INTRO_FEATURES),
        browse_courses=table.get("browse_courses", str),
        audiences={
            audience: (entry.get("heading", str), entry.get("text", str))
            for audience, _label in AUDIENCES
            for entry in [_Table(audiences.get(audience, dict), f"{audiences.where}.{audience}")]
        },
    )


def _headings(body):
    return [block for block in body if block["type"] == "heading"]


def _match_source(course, sources, language):
    where = f"{language}/{course.slug}"
    source = sources.get(course.slug)
    if source is None:
        raise CurriculumError(f"{where}: no source course with this slug")
    source_lessons = {lesson.slug: lesson for lesson in source.lessons}
    for lesson in course.lessons:
        if lesson.slug not in source_lessons:
            raise CurriculumError(f"{where}/{lesson.source.name}: no source lesson with the slug {lesson.slug!r}")
        source_headings = _headings(source_lessons[lesson.slug].body)
        headings = _headings(lesson.body)
        if len(headings) != len(source_headings):
            raise CurriculumError(
                f"{where}/{lesson.source.name}: {len(headings)} headings, the source has {len(source_headings)}"
            )
        for heading, source_heading in zip(headings, source_headings, strict=True):
            heading["value"]["anchor"] = source_heading["value"]["anchor"] or slugify(source_heading["value"]["text"])


def _load_toml(path):
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as error:
        raise CurriculumError(f"{path}: file not found") from error
    except tomllib.TOMLDecodeError as error:
        raise CurriculumError(f"{path}: not valid TOML: {error}") from error
