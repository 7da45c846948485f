"""The demo curriculum: its files are valid and substantial, and the loader is idempotent."""

import re
import shutil

import pytest
from django.core.management import CommandError, call_command
from django.utils.html import strip_tags
from wagtail.models import Locale, Page, Revision

from cms.models import HomePage
from lessons.curriculum.loader import COMPETENCES, load_demo_curriculum
from lessons.curriculum.reader import CURRICULUM_DIR, CurriculumError, read_curriculum, sanitise_html
from lessons.models import Competence, CourseIndexPage, CoursePage, LessonPage

pytestmark = pytest.mark.django_db

COMPETENCE_KEYS = [key for key, _name, _description in COMPETENCES]
PROSE_BLOCKS = {"paragraph", "callout", "example", "key_term"}


def prose_words(lesson):
    texts = []
    for block in lesson.body:
        if block["type"] == "paragraph":
            texts.append(block["value"])
        elif block["type"] in {"callout", "example"}:
            texts.append(block["value"]["text"])
        elif block["type"] == "key_term":
            texts.append(block["value"]["definition"])
    return len(re.findall(r"\w+", strip_tags(" ".join(texts))))


def page_state():
    """Every course tree page with its id and revision count, to compare before and after a reload."""
    pages = Page.objects.type(CourseIndexPage, CoursePage, LessonPage)
    return {page.url_path: (page.pk, Revision.page_revisions.filter(object_id=str(page.pk)).count()) for page in pages}


def test_demo_files_are_three_courses_for_the_three_audiences():
    courses = read_curriculum(competence_keys=COMPETENCE_KEYS)
    assert {course.slug: course.audience for course in courses} == {
        "ai-basics": "students",
        "teaching-with-ai": "teachers",
        "ai-at-work": "business",
    }


@pytest.mark.parametrize(
    "lesson",
    [lesson for course in read_curriculum(competence_keys=COMPETENCE_KEYS) for lesson in course.lessons],
    ids=lambda lesson: lesson.slug,
)
def test_every_demo_lesson_is_substantial(lesson):
    types = [block["type"] for block in lesson.body]
    quizzes = [block["value"] for block in lesson.body if block["type"] == "quiz"]
    assert prose_words(lesson) >= 400
    assert "heading" in types
    assert quizzes and all(len(quiz["questions"]) >= 3 for quiz in quizzes)


def test_loader_creates_published_pages_competences_and_home_entry_points():
    load_demo_curriculum()

    catalogue = CourseIndexPage.objects.get(locale__language_code="en")
    assert catalogue.url_path.endswith("/courses/") and catalogue.live
    courses = CoursePage.objects.child_of(catalogue).live()
    assert sorted(courses.values_list("slug", flat=True)) == ["ai-at-work", "ai-basics", "teaching-with-ai"]
    basics = courses.get(slug="ai-basics")
    assert [lesson.slug for lesson in basics.lessons()][:2] == ["what-ai-is-and-is-not", "how-machine-learning-learns"]
    assert all(lesson.live and lesson.live_revision_id for lesson in LessonPage.objects.all())
    assert set(Competence.objects.values_list("key", flat=True)) == set(COMPETENCE_KEYS)
    teaching = CoursePage.objects.get(slug="teaching-with-ai", locale__language_code="en")
    assert "pedagogy" in teaching.competences.values_list("key", flat=True)
    home = HomePage.objects.get(locale__language_code="en")
    entries = {block.value["audience"]: block.value["link"].specific for block in home.entry_points}
    assert entries == {"students": catalogue, "teachers": catalogue, "business": catalogue}


def test_loader_run_twice_changes_nothing(capsys):
    call_command("load_demo_curriculum")
    before = page_state()
    quiz_ids = [
        block.value["questions"].bound_blocks[0].id
        for block in LessonPage.objects.first().body
        if block.block_type == "quiz"
    ]

    call_command("load_demo_curriculum")

    assert page_state() == before
    assert CoursePage.objects.count() == 3 + 3 + 1  # English, Estonian, Russian ("AI basics" only)
    assert [
        block.value["questions"].bound_blocks[0].id
        for block in LessonPage.objects.first().body
        if block.block_type == "quiz"
    ] == quiz_ids
    output = capsys.readouterr().out
    assert "[en] AI basics: course and 8 lessons (9 unchanged)" in output
    assert "[ru] Основы ИИ: course and 8 lessons (9 unchanged)" in output


def test_translations_are_wagtail_translations_with_the_sources_anchors(client):
    load_demo_curriculum()

    source = LessonPage.objects.get(slug="bias-and-fairness", locale__language_code="en")
    for language, heading in (("et", "Mida tähendab"), ("ru", "предвзятость")):
        translation = source.get_translation(Locale.objects.get(language_code=language))
        assert translation.live and translation.url.startswith(f"/{language}/courses/ai-basics/")
        assert [anchor for anchor, _ in translation.table_of_contents()] == [
            anchor for anchor, _ in source.table_of_contents()
        ]
        assert heading.lower() in translation.table_of_contents()[0][1].lower()
        assert client.get(translation.url).status_code == 200
    assert not CoursePage.objects.filter(slug="teaching-with-ai", locale__language_code="ru").exists()


def test_a_translation_whose_headings_do_not_match_the_source_is_refused(one_course):
    translated = one_course / "et" / "ai-basics"
    shutil.copytree(CURRICULUM_DIR.parent / "et" / "ai-basics", translated)
    lesson_file = translated / "01-what-ai-is-and-is-not.toml"
    lesson_file.write_text(
        lesson_file.read_text().replace('type = "heading"', 'type = "paragraph"\nhtml = "<p>x</p>"', 1)
    )
    with pytest.raises(CurriculumError, match="01-what-ai-is-and-is-not.toml: .* headings, the source has"):
        load_demo_curriculum(one_course)


@pytest.fixture
def one_course(tmp_path):
    """A private copy of the ai-basics course that a test may edit."""
    shutil.copytree(CURRICULUM_DIR / "ai-basics", tmp_path / "en" / "ai-basics")
    shutil.copy(CURRICULUM_DIR / "site.toml", tmp_path / "en" / "site.toml")
    return tmp_path


def test_changed_lesson_gets_one_new_published_revision(one_course):
    load_demo_curriculum(one_course)
    before = page_state()
    lesson_file = one_course / "en" / "ai-basics" / "01-what-ai-is-and-is-not.toml"
    lesson_file.write_text(lesson_file.read_text().replace("Where you already meet AI", "Where AI already meets you"))

    load_demo_curriculum(one_course)

    after = page_state()
    changed = {path for path in after if after[path] != before[path]}
    lesson = LessonPage.objects.get(slug="what-ai-is-and-is-not", locale__language_code="en")
    assert changed == {lesson.url_path}
    assert after[lesson.url_path] == (before[lesson.url_path][0], before[lesson.url_path][1] + 1)
    assert ("where-ai-already-meets-you", "Where AI already meets you") in lesson.table_of_contents()
    assert not lesson.has_unpublished_changes


def test_invalid_file_is_reported_with_its_name_and_nothing_is_written(one_course):
    lesson_file = one_course / "en" / "ai-basics" / "02-how-machine-learning-learns.toml"
    lesson_file.write_text(lesson_file.read_text() + '\n[[body]]\ntype = "poll"\n')

    with pytest.raises(CommandError, match=r"02-how-machine-learning-learns\.toml.*unknown block type 'poll'"):
        call_command("load_demo_curriculum", directory=one_course)
    assert not CoursePage.objects.exists()


@pytest.mark.parametrize(
    ("addition", "message"),
    [
        ("this is = not toml [", "not valid TOML"),
        ('[[body]]\ntype = "quiz"\nquestions = []\n', "at least one question"),
        ('[[body]]\ntype = "key_term"\nterm = "Only a term"\n', "missing required key 'definition'"),
        (
            '[[body]]\ntype = "quiz"\nquestions_per_attempt = 3\n[[body.questions]]\nprompt = "Q"\n'
            '[[body.questions.options]]\ntext = "a"\ncorrect = true\n'
            '[[body.questions.options]]\ntext = "b"\ncorrect = false\n',
            r"'questions_per_attempt' must be between 1 and the number of questions \(1\)",
        ),
        ('[[body]]\ntype = "sources"\n[[body.items]]\ntitle = "A study"\n', "missing required key 'publisher'"),
    ],
)
def test_malformed_lessons_give_clear_errors(one_course, addition, message):
    lesson_file = one_course / "en" / "ai-basics" / "03-how-large-language-models-write-text.toml"
    lesson_file.write_text(lesson_file.read_text() + "\n" + addition)

    with pytest.raises(CurriculumError, match=message):
        read_curriculum(one_course / "en", COMPETENCE_KEYS)


def test_single_answer_question_needs_exactly_one_correct_option(one_course):
    lesson_file = one_course / "en" / "ai-basics" / "01-what-ai-is-and-is-not.toml"
    text = lesson_file.read_text().replace("correct = false", "correct = true", 1)
    lesson_file.write_text(text)

    with pytest.raises(CurriculumError, match="exactly one correct option"):
        read_curriculum(one_course / "en", COMPETENCE_KEYS)


def test_sanitising_keeps_allowed_tags_and_drops_scripts_and_handlers():
    html = sanitise_html(
        '<p onclick="steal()">Hi <strong>there</strong><script>alert(1)</script>'
        '<img src=x onerror="alert(2)"><a href="javascript:alert(3)">bad</a> <a href="https://example.org">ok</a></p>',
        ["bold", "link"],
    )
    assert html == '<p>Hi <strong>there</strong><a>bad</a> <a href="https://example.org">ok</a></p>'
