"""An LMS may frame the site for the sessions it launched, and only its registered origins may; in a frame the
session's cookies are third-party-proof (SameSite=None; Secure; Partitioned). Everyone else keeps the defaults."""

import re

import pytest

from lti.models import LmsPlatform
from tests.factories import UserFactory, learning_course
from tests.lti.conftest import launch
from tests.lti.platform import Launch

pytestmark = pytest.mark.django_db
IN_A_FRAME = {"HTTP_SEC_FETCH_DEST": "iframe"}


@pytest.fixture
def lesson():
    return learning_course()[1]


def frame_ancestors(response):
    return re.search(r"frame-ancestors ([^;]*)", response["Content-Security-Policy"])[1].split()


def test_a_session_launched_in_a_frame_gets_partitioned_cookies_and_its_lms_may_frame_its_pages(
    client, platform, registered, lesson
):
    response = launch(client, platform, Launch(user_id="student-1", custom={"page": str(lesson.pk)}), **IN_A_FRAME)

    for name in ("sessionid", "csrftoken"):
        cookie = response.cookies[name]
        assert (cookie["samesite"], cookie["secure"], cookie["partitioned"]) == ("None", True, True), name
    assert "Partitioned" in response.cookies["sessionid"].output()
    page = client.get(lesson.url, **IN_A_FRAME)
    assert page.status_code == 200
    assert frame_ancestors(page) == ["'self'", platform.url]
    assert "X-Frame-Options" not in page


def test_a_session_launched_in_a_window_of_its_own_keeps_first_party_cookies(client, platform, registered, lesson):
    response = launch(client, platform, Launch(user_id="student-1", custom={"page": str(lesson.pk)}))

    assert response.cookies["sessionid"]["samesite"] == "Lax"
    assert not response.cookies["sessionid"]["partitioned"]


def test_the_state_cookie_of_a_log_in_in_a_frame_is_partitioned(client, platform, registered, lesson):
    hint = platform.add_launch(Launch(user_id="student-1", custom={"page": str(lesson.pk)}))
    login = platform.login_url(hint).removeprefix("http://testserver")

    check = client.get(login, **IN_A_FRAME)
    assert check.status_code == 200 and b"lti/js/lti.js" in check.content  # the cookie check, a static script
    assert frame_ancestors(check) == ["'self'", platform.url]
    continue_url = re.search(r'data-continue-url="([^"]+)"', check.content.decode())[1].replace("&amp;", "&")
    assert "lti1p3_new_window=1" in continue_url

    redirect = client.get(continue_url, **IN_A_FRAME)
    (state,) = (cookie for name, cookie in redirect.cookies.items() if name.startswith("lti1p3-state-"))
    assert (state["samesite"], state["secure"], state["partitioned"]) == ("None", True, True)


def test_only_the_origins_registered_for_the_lms_may_frame(client, platform, registered, lesson):
    lms, _deployment = registered
    LmsPlatform.objects.filter(pk=lms.pk).update(frame_origins="https://moodle.school.example\nnot an origin")
    launch(client, platform, Launch(user_id="student-1", custom={"page": str(lesson.pk)}), **IN_A_FRAME)

    page = client.get(lesson.url)

    assert frame_ancestors(page) == ["'self'", "https://moodle.school.example"]


def test_the_admin_is_never_framed_even_in_an_lms_session(client, platform, registered, lesson):
    launch(client, platform, Launch(user_id="student-1", custom={"page": str(lesson.pk)}), **IN_A_FRAME)
    response = client.get("/admin/")
    assert "X-Frame-Options" in response and platform.url not in response.get("Content-Security-Policy", "")


def test_ordinary_sessions_keep_the_sites_own_framing_rules_and_cookies(client, platform, registered, lesson):
    client.force_login(UserFactory())
    response = client.get(lesson.url, **IN_A_FRAME)

    assert response["X-Frame-Options"] == "DENY"
    assert frame_ancestors(response) == ["'self'"]
    assert client.get("/en/accounts/login/").cookies["csrftoken"]["samesite"] == "Lax"
