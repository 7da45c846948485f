"""Deep linking: a teacher picks a lesson inside the LMS; the loopback LMS checks the tool's signed answer."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client

from lti.deep_linking.services import SETTINGS_CLAIM
from tests.factories import learning_course
from tests.lti.conftest import launch
from tests.lti.platform import INSTRUCTOR, Launch, launch_form_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def lms(client, platform, registered):
    platform.tool_key_set = client.get("/lti/jwks/").json()
    return platform


def open_picker(client, lms):
    response = launch(client, lms, Launch(user_id="teacher-1", roles=[INSTRUCTOR], deep_linking=True))
    assert response.status_code == 302
    return response["Location"], parse_qs(urlsplit(response["Location"]).query)["launch"][0]


def test_a_teacher_picks_a_lesson_and_the_lms_receives_a_signed_link_with_a_line_item(client, lms):
    course, quiz_lesson, reading = learning_course()
    picker_url, launch_id = open_picker(client, lms)

    picker = client.get(picker_url).content.decode()
    assert all(title in picker for title in (course.title, quiz_lesson.title, reading.title))
    answer = client.post(picker_url, {"launch": launch_id, "page": quiz_lesson.pk})

    assert answer.status_code == 200
    assert f"form-action 'self' {lms.url}" in answer["Content-Security-Policy"]
    action, fields = launch_form_fields(answer.content.decode())
    assert action == f"{lms.url}/deep-link-return"
    received = requests.post(action, data={"JWT": fields["JWT"]}, timeout=10)
    assert received.status_code == 200, received.text  # lti1p3platform verified the signature with the tool's JWKS
    (response,) = lms.deep_link_responses
    claims = response["claims"]
    assert (claims["iss"], claims["aud"]) == (lms.client_id, [lms.issuer])
    assert claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] == lms.deployment_id
    assert claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == "LtiDeepLinkingResponse"
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"]["opaque"]  # the LMS's data comes back
    (item,) = response["items"]
    assert item["type"] == "ltiResourceLink"
    assert item["url"] == f"http://testserver/lti/pages/{quiz_lesson.pk}/"
    assert (item["title"], item["custom"]) == (quiz_lesson.title, {"page": str(quiz_lesson.pk)})
    assert item["lineItem"] == {"scoreMaximum": 100, "label": quiz_lesson.title, "resourceId": f"page-{quiz_lesson.pk}"}

    again = client.post(picker_url, {"launch": launch_id, "page": quiz_lesson.pk})
    assert again.status_code == 403 and "answered already" in again.content.decode()


def test_a_reading_without_a_quiz_gets_no_gradebook_column(client, lms):
    _course, _quiz_lesson, reading = learning_course()
    picker_url, launch_id = open_picker(client, lms)

    answer = client.post(picker_url, {"launch": launch_id, "page": reading.pk})

    jwt = launch_form_fields(answer.content.decode())[1]["JWT"]
    requests.post(f"{lms.url}/deep-link-return", data={"JWT": jwt}, timeout=10)
    assert "lineItem" not in lms.deep_link_responses[0]["items"][0]


def test_only_the_session_the_request_was_launched_in_can_answer_it(client, lms):
    _course, quiz_lesson, _reading = learning_course()
    picker_url, launch_id = open_picker(client, lms)
    someone_else = Client()
    launch(someone_else, lms, Launch(user_id="teacher-2", roles=[INSTRUCTOR], deep_linking=True))

    response = someone_else.post(picker_url, {"launch": launch_id, "page": quiz_lesson.pk})

    assert response.status_code == 403 and not re.search(r'name="JWT"', response.content.decode())
    assert Client().get(picker_url).status_code == 302  # not logged in: to the log-in page


def test_a_pick_that_is_not_a_live_lesson_or_course_is_refused(client, lms):
    course, quiz_lesson, _reading = learning_course()
    picker_url, launch_id = open_picker(client, lms)
    quiz_lesson.unpublish()

    response = client.post(picker_url, {"launch": launch_id, "page": quiz_lesson.pk})

    assert response.status_code == 400 and "cannot be added" in response.content.decode()


def test_a_request_that_accepts_no_resource_links_is_refused(client, lms, monkeypatch):
    learning_course()
    picker_url, launch_id = open_picker(client, lms)
    from lti import protocol

    restore = protocol.restored_launch

    def only_files(request, launch_id):
        restored = restore(request, launch_id)
        restored.get_launch_data()[SETTINGS_CLAIM]["accept_types"] = ["file"]
        return restored

    monkeypatch.setattr(protocol, "restored_launch", only_files)
    response = client.get(picker_url)
    assert response.status_code == 400
