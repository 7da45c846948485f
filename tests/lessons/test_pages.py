"""Rendering of the catalogue, course, glossary and lesson pages, including who sees teacher notes."""

import shutil

import pytest

from lessons.curriculum.reader import CURRICULUM_DIR
from lessons.models import CourseIndexPage
from tests import factories as f

pytestmark = pytest.mark.django_db

NOTE = "Pair students for the card sort"


@pytest.fixture
def catalogue():
    students = f.course("AI basics", audience="students", level="beginner", topics=["privacy", "prompting"])
    f.course("Teaching with AI", audience="teachers", level="intermediate", topics=["assessment"])
    f.course("AI at work", audience="business", level="beginner", topics=["privacy"])
    f.course("Draft course", audience="students", publish=False)
    return CourseIndexPage.objects.get(locale__language_code="en"), students


def listed_titles(response):
    return [course.title for course in response.context["courses"]]


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("", ["AI basics", "Teaching with AI", "AI at work"]),
        ("?audience=teachers", ["Teaching with AI"]),
        ("?level=beginner", ["AI basics", "AI at work"]),
        ("?topic=privacy", ["AI basics", "AI at work"]),
        ("?audience=students&topic=privacy", ["AI basics"]),
        ("?audience=business&level=intermediate", []),
    ],
)
def test_catalogue_filters(client, catalogue, query, titles):
    response = client.get("/en/courses/" + query)
    assert response.status_code == 200
    assert listed_titles(response) == titles
    count = len(titles)
    assert f"{count} course{'' if count == 1 else 's'} found" in response.text
    assert ("No courses match these filters" in response.text) == (count == 0)


@pytest.mark.parametrize("query", ["?audience=robots", "?level=%00%ff", "?topic=<script>", "?audience=a&audience=b"])
def test_bad_filter_values_are_reported_and_ignored(client, catalogue, query):
    response = client.get("/en/courses/" + query)
    assert response.status_code == 200
    assert "Some filters were not recognised" in response.text
    assert "<script>" not in response.text.split("</header>", 1)[1]
    assert len(listed_titles(response)) == 3


def test_filter_form_is_labelled(client, catalogue):
    response = client.get("/en/courses/")
    for name in ("audience", "level", "topic"):
        assert f'<label for="id_{name}">' in response.text


def test_course_page_lists_lessons_outcomes_and_links_the_glossary(client, catalogue):
    _index, course = catalogue
    f.lesson(course, "First lesson", body=[f.key_term("Model", "Learned patterns.")])
    f.lesson(course, "Second lesson", body=[f.key_term("Bias", "Systematic unfairness.")])
    f.lesson(course, "Unpublished lesson", body=[f.key_term("Secret", "Not yet.")], publish=False)

    response = client.get(course.url)
    assert response.status_code == 200
    assert "First lesson" in response.text and "Second lesson" in response.text
    assert "Unpublished lesson" not in response.text
    assert 'href="/en/courses/ai-basics/glossary/"' in response.text

    glossary = client.get("/en/courses/ai-basics/glossary/")
    assert glossary.status_code == 200
    assert [entry["term"] for entry in glossary.context["terms"]] == ["Bias", "Model"]
    assert "Systematic unfairness." in glossary.text and "Secret" not in glossary.text


@pytest.fixture
def lesson_with_note(catalogue):
    _index, course = catalogue
    first = f.lesson(course, "Before", body=[f.paragraph("<p>Intro.</p>")])
    lesson = f.lesson(
        course,
        "What AI is",
        summary="Where you meet AI.",
        body=[
            f.heading("Where you meet AI"),
            f.paragraph("<p>Phones, maps and spam filters.</p>"),
            f.teacher_note(f"<p>{NOTE} in five minutes.</p>"),
            f.heading("A working definition", anchor="definition"),
            f.reflection("Which AI did you use today?"),
        ],
    )
    last = f.lesson(course, "After", body=[f.paragraph("<p>Outro.</p>")])
    return first, lesson, last


def test_lesson_has_table_of_contents_with_anchors_and_neighbours(client, lesson_with_note):
    first, lesson, last = lesson_with_note
    assert lesson.table_of_contents() == [
        ("where-you-meet-ai", "Where you meet AI"),
        ("definition", "A working definition"),
    ]
    assert (lesson.previous_lesson(), lesson.next_lesson()) == (first, last)
    assert first.previous_lesson() is None and last.next_lesson() is None

    html = client.get(lesson.url).text
    assert '<a href="#definition">A working definition</a>' in html
    assert 'id="definition"' in html and 'id="where-you-meet-ai"' in html
    assert f'rel="prev" href="{first.url}"' in html and f'rel="next" href="{last.url}"' in html


def test_anonymous_visitor_never_receives_teacher_notes(client, lesson_with_note):
    html = client.get(lesson_with_note[1].url).text
    assert "Phones, maps and spam filters." in html
    assert NOTE not in html and "Teacher note" not in html


def test_student_never_receives_teacher_notes(client, lesson_with_note):
    client.force_login(f.UserFactory(username="sam"))
    html = client.get(lesson_with_note[1].url).text
    assert "Phones, maps and spam filters." in html
    assert NOTE not in html and "Teacher note" not in html


@pytest.mark.parametrize("group", ["Teachers", "Editors"])
def test_teachers_and_editors_see_teacher_notes(client, lesson_with_note, group):
    client.force_login(f.UserFactory(username=f"staff-{group}", groups=[group]))
    html = client.get(lesson_with_note[1].url).text
    assert f"{NOTE} in five minutes." in html


def test_rich_text_from_the_loader_never_carries_scripts(client, tmp_path):
    """A content file with a script and an event handler renders without either."""
    course_dir = tmp_path / "en" / "evil"
    course_dir.mkdir(parents=True)
    shutil.copy(CURRICULUM_DIR / "site.toml", tmp_path / "en" / "site.toml")
    (course_dir / "course.toml").write_text(
        'title = "Evil"\nslug = "evil"\naudience = "students"\nlevel = "beginner"\nestimated_minutes = 10\n'
        'topics = ["x"]\ncompetences = ["ethics"]\n'
        'intro = \'<p onmouseover="alert(1)">Intro</p><script>alert(2)</script>\'\noutcomes = ["Stay safe"]\n'
    )
    (course_dir / "01-evil.toml").write_text(
        'title = "Evil lesson"\nslug = "evil-lesson"\nsummary = "s"\n\n[[body]]\ntype = "paragraph"\n'
        "html = '<p>Safe text<script>alert(3)</script><img src=x onerror=\"alert(4)\"></p>'\n\n"
        '[[body]]\ntype = "callout"\nkind = "tip"\ntitle = "t"\n'
        "html = '<p><a href=\"javascript:alert(5)\">click</a></p>'\n"
    )
    from lessons.curriculum.loader import load_demo_curriculum

    load_demo_curriculum(tmp_path)
    for url in ("/en/courses/evil/", "/en/courses/evil/evil-lesson/"):
        html = client.get(url).text
        assert "alert(" not in html and "onerror" not in html and "onmouseover" not in html
    assert "Safe text" in client.get("/en/courses/evil/evil-lesson/").text
