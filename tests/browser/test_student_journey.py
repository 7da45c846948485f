"""A student's journey through the real "AI basics" course in Chromium.

Sign up, enrol, read the first lesson, fail then pass its quiz (htmx swaps the result into the
quiz region), see progress move, finish the course, open the certificate and its public
verification page. Lessons 2-7 are completed through the same service functions the views call
(record_lesson_visit, submit_quiz), for speed; lessons 1 and 8 go through the browser.
"""

import re

import pytest
from django.contrib.auth import get_user_model

from lessons.learning.services import record_lesson_visit, submit_quiz
from lessons.models import CoursePage, LessonPage
from tests.factories import right_answers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def quizzes(lesson):
    return [block for block in lesson.body if block.block_type == "quiz"]


def answer_key(quiz, right):
    """{question prompt: option texts}: the correct ones when ``right``, else one wrong option each."""
    key = {}
    for question in quiz.value["questions"]:
        correct = [option["text"] for option in question["options"] if option["is_correct"]]
        wrong = [option["text"] for option in question["options"] if not option["is_correct"]]
        key[question["prompt"]] = correct if right else wrong[:1]
    return key


def pass_through_services(user, lesson):
    record_lesson_visit(user=user, lesson=lesson)
    for quiz in quizzes(lesson):
        _attempt, result = submit_quiz(
            user=user, lesson=lesson, quiz_block_id=quiz.id, data=right_answers(user, lesson, quiz)
        )
        assert result.passed


def assert_sized(bar):
    """A progress bar is as wide as its data-percent says: cms/js/site.js sizes it (CSP refuses style attributes)."""
    percent = bar.get_attribute("data-percent")
    assert int(percent) > 0
    assert bar.evaluate("bar => bar.style.width") == f"{percent}%"


def answer_in_browser(page, quiz, right):
    """Answer the questions this learner was drawn, by option text, and submit."""
    region = page.locator(f"#quiz-{quiz.id}")
    key = answer_key(quiz, right)
    region.locator("fieldset").first.wait_for()
    for question in region.locator("fieldset").all():
        legend = question.locator("legend").inner_text()
        for text in next(texts for prompt, texts in key.items() if prompt in legend):
            question.get_by_label(text, exact=True).check()
    region.locator("button[type=submit]").click()  # "Submit answers" in the page's language
    return region


def test_student_signs_up_learns_fails_passes_and_earns_a_verifiable_certificate(
    page, load_curriculum, confirm_signup, csp_violations
):
    load_curriculum(courses=["ai-basics"], indexed=False)
    course = CoursePage.objects.get(slug="ai-basics", locale__language_code="en")
    lessons = list(course.lessons().specific())
    assert len(lessons) == 8 and all(quizzes(lesson) for lesson in lessons)

    page.goto("/en/accounts/signup/")
    page.get_by_label("Username").fill("kadri")
    page.get_by_label("First name").fill("Kadri")
    page.get_by_label("Last name").fill("Kask")
    page.get_by_label("E-mail").fill("kadri@example.org")
    page.locator("input[name=password1]").fill("a-long-student-pass-2026")
    page.get_by_label("Password confirmation").fill("a-long-student-pass-2026")
    page.get_by_label("I am at least 13 years old.").check()
    page.get_by_role("button", name="Sign up").click()
    page.get_by_role("heading", name="Check your inbox").wait_for()
    confirm_signup(page)
    page.get_by_role("heading", name="Welcome, Kadri!").wait_for()
    page.get_by_role("link", name="Browse the courses").click()
    page.get_by_role("link", name="AI basics").first.wait_for()

    page.goto(course.url)
    page.get_by_role("button", name="Enrol in this course").click()
    page.wait_for_url(f"**{lessons[0].url}")
    assert page.locator(".lesson-status").inner_text().startswith("In progress")

    first_quiz = quizzes(lessons[0])[0]
    region = answer_in_browser(page, first_quiz, right=False)
    region.get_by_text("Not passed yet.").wait_for()
    assert page.locator(f"#quiz-{first_quiz.id}-region[aria-live=polite]").count() == 1
    region.get_by_role("link", name="Try again").click()
    region = answer_in_browser(page, first_quiz, right=True)
    region.get_by_text("Passed!").wait_for()
    assert "1 of 8 lessons complete" in region.inner_text()
    assert_sized(region.locator(".progress__bar"))  # in HTML that htmx swapped in

    page.goto("/en/learn/dashboard/")
    assert "1 of 8 lessons complete" in page.locator(".dashboard-courses").inner_text()
    assert_sized(page.locator(".dashboard-courses .progress__bar"))
    assert page.get_by_role("link", name=f"Continue: {lessons[1].title}").is_visible()

    student = get_user_model().objects.get(username="kadri")
    for lesson in lessons[1:7]:
        pass_through_services(student, LessonPage.objects.get(id=lesson.id))

    page.goto(course.url)
    page.get_by_role("link", name=f"Continue: {lessons[7].title}").click()
    last_quiz = quizzes(lessons[7])[0]
    region = answer_in_browser(page, last_quiz, right=True)
    region.get_by_text("You have completed AI basics.").wait_for()
    region.get_by_role("link", name="View your certificate").click()

    page.get_by_role("heading", name="Kadri Kask").wait_for()
    assert "AI basics" in page.locator(".certificate").inner_text()
    code = page.locator(".certificate code").inner_text()
    verify_href = page.locator(".certificate__verify a").get_attribute("href")
    assert re.fullmatch(rf"/en/learn/certificates/verify/{re.escape(code)}/", verify_href)

    page.get_by_role("button", name="Log out").click()
    page.get_by_role("link", name="Log in").wait_for()
    assert csp_violations == []
    page.goto(verify_href)
    page.get_by_role("heading", name="Certificate verified").wait_for()
    facts = page.locator(".certificate-facts").inner_text()
    assert "Kadri Kask" in facts and "AI basics" in facts and code in facts
    assert "kadri@example.org" not in page.content() and "kadri<" not in page.content()


def test_quiz_errors_swap_in_and_learner_pages_fit_a_small_phone(phone, log_in, assert_fits_phone):
    """At 375 px: an incomplete answer is refused (400) in place, and lesson, dashboard and certificate fit."""
    from lessons.learning.services import enrol
    from tests.factories import UserFactory, learning_course

    course, quiz_lesson, reading = learning_course()
    learner = UserFactory(username="tiny", first_name="Tiina", last_name="Saar-Vähijärvelainen")
    enrol(user=learner, course=course)
    small = phone
    log_in(small, "tiny")

    small.goto(quiz_lesson.url)
    quiz = small.locator(".quiz")
    quiz.locator("fieldset", has_text="What is most modern AI?").get_by_label("Learns from data").check()
    quiz.get_by_role("button", name="Submit answers").click()  # the "choose all that apply" question left empty
    quiz.get_by_role("alert").filter(has_text="Please answer every question").wait_for()
    assert quiz.get_by_label("Learns from data").is_checked()  # the learner's choice survives the error

    pass_through_services(learner, reading)
    pass_through_services(learner, quiz_lesson)
    certificate_code = learner.certificates.get().code
    for path in (quiz_lesson.url, "/en/learn/dashboard/", f"/en/learn/certificates/{certificate_code}/"):
        small.goto(path)
        assert_fits_phone(small, path)
