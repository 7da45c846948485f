"""Launching the site from an LMS in Chromium: the lesson in the LMS's frame, and a teacher's deep link.

The LMS is tests/lti/platform.py (built on lti1p3platform) on 127.0.0.1 and the site is the live
server on localhost: two sites, so the frame is a real cross-site frame and the browser treats the
site's cookies there as third-party ones (headless Chromium refuses those unless partitioned).

1. A learner opens the LMS course page: the frame runs the whole launch (log-in initiation, the
   cookie check, the LMS's signed id_token, the launch), shows the lesson, the learner passes its quiz
   there, and the grade arrives at the LMS's score endpoint.
2. A teacher's deep-linking launch shows the picker in the frame; they pick a lesson, and the LMS
   receives the tool's signed answer and verifies it with the tool's published keys.
"""

import pytest

from lti.models import ScoreSubmission
from tests.factories import OrganisationFactory, learning_course
from tests.lti.conftest import register
from tests.lti.platform import INSTRUCTOR, Launch, Platform

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
ALL_RIGHT = {"What is most modern AI?": ["Learns from data"], "Which of these use AI?": ["Spam filter", "Face unlock"]}


@pytest.fixture
def lms(live_server):
    platform = Platform(host="127.0.0.1").start()
    platform.tool_url = live_server.url
    register(platform, OrganisationFactory(name="Tallinn School"))
    yield platform
    platform.stop()


def test_a_learner_passes_a_lessons_quiz_inside_the_lms_and_the_grade_reaches_its_gradebook(
    page, lms, csp_violations, wait_for
):
    assert "localhost" in lms.tool_url and "127.0.0.1" in lms.url  # two sites: the frame is cross-site
    _course, lesson, _reading = learning_course()
    hint = lms.add_launch(Launch(user_id="student-1", custom={"page": str(lesson.pk)}))

    page.goto(lms.course_page_url(hint))
    frame = page.frame_locator("iframe[title=Activity]")
    frame.get_by_role("heading", name="What AI is", level=1).wait_for()
    quiz = frame.locator(".quiz").first
    for question in quiz.locator("fieldset").all():
        legend = question.locator("legend").inner_text()
        for text in next(texts for prompt, texts in ALL_RIGHT.items() if prompt in legend):
            question.get_by_label(text, exact=True).check()
    quiz.locator("button[type=submit]").click()
    frame.get_by_text("Passed!").wait_for()

    assert wait_for(lambda: lms.scores_for("student-1"), timeout=30)
    (score,) = lms.scores_for("student-1")
    assert (score["scoreGiven"], score["scoreMaximum"], score["activityProgress"]) == (100, 100, "Completed")
    (line_item,) = lms.line_items.values()  # made by the tool for the link, on the first grade
    assert line_item["resourceLinkId"] == "link-1"
    assert ScoreSubmission.objects.get().status == ScoreSubmission.Status.SENT
    assert csp_violations == []


def test_a_teacher_picks_a_lesson_in_the_lms_frame_and_the_lms_gets_a_signed_link(page, lms, csp_violations):
    _course, lesson, _reading = learning_course()
    hint = lms.add_launch(Launch(user_id="teacher-1", roles=[INSTRUCTOR], deep_linking=True))

    page.goto(lms.course_page_url(hint))
    frame = page.frame_locator("iframe[title=Activity]")
    frame.get_by_label(lesson.title, exact=True).check()
    frame.get_by_role("button", name="Add to the LMS course").click()
    frame.get_by_text("Activity added").wait_for()  # the LMS's page: it verified the tool's JWT

    ((response),) = lms.deep_link_responses
    (item,) = response["items"]
    assert item["url"] == f"{lms.tool_url}/lti/pages/{lesson.pk}/"
    assert item["lineItem"]["scoreMaximum"] == 100
    assert csp_violations == []
