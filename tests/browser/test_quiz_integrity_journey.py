"""Quizzes measure reading: in Chromium, over the real "AI basics" course.

A learner who always ticks the first option fails most quizzes, two learners see different
option orders, and the review after submitting lists the options in the order the learner saw.
"""

import pytest

from lessons.learning.services import enrol
from lessons.models import CoursePage
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def shown_quiz(page):
    """[(legend, [option labels])] of the quiz form on the page, in the order shown."""
    return [
        (fieldset.locator("legend").inner_text(), fieldset.locator("label").all_inner_texts())
        for fieldset in page.locator(".quiz fieldset").all()
    ]


def tick_first_options_and_submit(page):
    quiz = page.locator(".quiz").first
    for fieldset in quiz.locator("fieldset").all():
        fieldset.locator("input").first.check()
    quiz.locator("button[type=submit]").click()
    return quiz.locator(".quiz-result")


def test_first_option_guessing_fails_and_every_learner_sees_their_own_order(
    browser, page, live_server, log_in, load_curriculum
):
    load_curriculum(courses=["ai-basics"], indexed=False)
    course = CoursePage.objects.get(slug="ai-basics", locale__language_code="en")
    lessons = list(course.lessons().specific())
    for username in ("first-ticker", "second-learner"):
        enrol(user=UserFactory(username=username), course=course)

    log_in(page, "first-ticker")
    page.goto(lessons[0].url)
    seen = shown_quiz(page)
    result = tick_first_options_and_submit(page)
    result.wait_for()
    reviewed = [item.locator("li").all_inner_texts() for item in result.locator(".quiz-result__question").all()]
    assert [len(options) for options in reviewed] == [len(options) for _legend, options in seen]
    for (legend, options), review in zip(seen, reviewed, strict=True):
        assert all(option in line for option, line in zip(options, review, strict=True)), f"{legend}: order changed"

    passed = ["quiz-result--pass" in result.get_attribute("class")]
    for lesson in lessons[1:]:
        page.goto(lesson.url)
        result = tick_first_options_and_submit(page)
        result.wait_for()
        passed.append("quiz-result--pass" in result.get_attribute("class"))
    assert sum(passed) <= 3, f"ticking the first option passed {sum(passed)} of {len(passed)} quizzes"

    other = browser.new_context(base_url=live_server.url)
    other_page = other.new_page()
    log_in(other_page, "second-learner")
    other_page.goto(lessons[0].url)
    assert shown_quiz(other_page) != seen
    other.close()
