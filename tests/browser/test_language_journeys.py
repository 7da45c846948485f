"""A student's whole journey in Estonian and in Russian, with no English interface text left on the way.

Sign up, join the class with its code, enrol, read the first lesson and pass its quiz, ask the
tutor (offline excerpts, from the lesson in the student's language), finish the course and open
the certificate. Each page visited is checked against the English source strings of every
interface catalog: any of them still visible means a string that is not translated or not marked
for translation. Lessons 2-7 are completed through the service functions the views call, for speed.
"""

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from lessons.models import CoursePage, LessonPage, Membership
from tests import factories as f
from tests.browser.test_student_journey import answer_in_browser, pass_through_services, quizzes
from tutor.indexing.indexer import index_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%|\{|<|\\\\n")


def english_interface_strings(language):
    """The English msgids that the ``language`` catalogs translate, long and plain enough to spot."""
    strings = set()
    for catalog in ROOT.glob(f"*/locale/{language}/LC_MESSAGES/*.po"):
        for msgid, msgstr in re.findall(r'^msgid "(.+)"\nmsgstr "(.+)"$', catalog.read_text(encoding="utf-8"), re.M):
            if msgid != msgstr and len(msgid) >= 6 and " " in msgid and not PLACEHOLDER.search(msgid):
                strings.add(msgid.replace('\\"', '"'))
    assert len(strings) > 100, f"the {language} catalogs look empty"
    return strings


def assert_no_english(page, strings, where):
    text = " ".join(page.locator("body").inner_text().split())
    left = sorted(string for string in strings if string in text)
    assert not left, f"English interface text on {where}: {left[:10]}"


@pytest.mark.parametrize(
    ("language", "question"),
    [("et", "Mis vahe on kitsal ja üldisel tehisintellektil?"), ("ru", "Чем узкий ИИ отличается от общего ИИ?")],
)
def test_a_student_takes_the_course_in_their_language(
    page, settings, load_curriculum, confirm_signup, language, question
):
    settings.TUTOR_CHAT_MODEL = ""  # offline: course excerpts
    strings = english_interface_strings(language)
    load_curriculum(languages=("en", language), courses=["ai-basics"], indexed=False)  # the original, its translation
    course = CoursePage.objects.get(slug="ai-basics", locale__language_code=language)
    lessons = list(course.lessons().specific())
    index_page(lessons[0])  # the tutor answers from this lesson; indexing both whole courses takes over a minute
    group = f.GroupFactory(name="9B")
    f.member(group, role=Membership.Role.TEACHER)

    page.goto(f"/{language}/accounts/signup/")
    assert page.locator("html").get_attribute("lang") == language
    assert_no_english(page, strings, "the sign-up page")
    for name, value in (
        ("username", "kadri"),
        ("first_name", "Kadri"),
        ("last_name", "Kask"),
        ("email", "kadri@example.org"),
        ("password1", "a-long-student-pass-2026"),
        ("password2", "a-long-student-pass-2026"),
    ):
        page.locator(f"input[name={name}]").fill(value)
    page.locator("input[name=confirms_age]").check()
    page.locator("main form button[type=submit]").click()
    confirm_signup(page)

    page.goto(f"/{language}/learn/org/join/")
    assert_no_english(page, strings, "the join page")
    page.locator("input[name=code]").fill(group.join_code)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/{language}/learn/org/")
    assert "9B" in page.locator("main").inner_text()
    assert_no_english(page, strings, "my classes")

    page.goto(course.url)
    assert_no_english(page, strings, "the course page")
    page.locator("form[action*='/enrol/'] button").click()
    page.wait_for_url(f"**{lessons[0].url}")
    assert_no_english(page, strings, "the first lesson")

    answer_in_browser(page, quizzes(lessons[0])[0], right=True)
    page.locator(".quiz-result--pass").wait_for()
    assert_no_english(page, strings, "the passed quiz")

    panel = page.locator("[data-tutor-panel]")
    panel.locator("textarea").fill(question)
    panel.locator("textarea").press("Control+Enter")
    answer = panel.locator(".tutor-message--tutor").last
    answer.locator("blockquote").first.wait_for()
    assert_no_english(page, strings, "the tutor's answer")

    student = get_user_model().objects.get(username="kadri")
    assert student.account_preferences.language == language
    for lesson in lessons[1:7]:
        pass_through_services(student, LessonPage.objects.get(id=lesson.id))
    page.goto(lessons[7].url)
    region = answer_in_browser(page, quizzes(lessons[7])[0], right=True)
    region.locator("a[href*='/learn/certificates/']").click()
    page.locator(".certificate").wait_for()
    assert course.title in page.locator(".certificate").inner_text()
    assert_no_english(page, strings, "the certificate")
