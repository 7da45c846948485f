"""Launching from an LMS: the account, the class in the deployment's organisation, the enrolment, the page.

Every launch goes through the loopback LMS (tests/lti/platform.py): log-in initiation at the tool, the
platform's signed id_token, the launch post.
"""

import pytest
from django.contrib.auth import get_user_model
from lti_tool.models import LtiUser

from lessons.models import Assignment, Enrolment, Membership
from lti.framing import SESSION_KEY
from lti.models import ContextGroup, Placement
from tests.factories import learning_course, translate
from tests.lti.conftest import launch
from tests.lti.platform import INSTRUCTOR, LEARNER, MENTOR, Launch

pytestmark = pytest.mark.django_db
Role = Membership.Role


@pytest.fixture
def lessons():
    course, quiz_lesson, reading = learning_course()
    return course, quiz_lesson, reading


def test_first_launch_makes_an_lms_account_a_class_and_an_enrolment_and_opens_the_lesson(
    client, platform, registered, lessons, school
):
    course, quiz_lesson, _reading = lessons
    spec = Launch(user_id="student-7", email="mari@school.example", custom={"page": str(quiz_lesson.pk)})

    response = launch(client, platform, spec)

    assert response.status_code == 302 and response["Location"] == quiz_lesson.url
    lms_user = LtiUser.objects.get(sub="student-7", registration__issuer=platform.issuer)
    user = lms_user.auth_user
    assert (user.first_name, user.last_name) == ("Mari", "Maasikas")
    assert not user.has_usable_password()
    assert user.email == ""  # the LMS's address stays with the LMS user: accounts are never linked by e-mail
    assert lms_user.email == "mari@school.example"
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.session[SESSION_KEY] == {"platform": registered[0].pk, "framed": False}

    group = ContextGroup.objects.get().group
    assert (group.organisation, group.name, group.join_code_enabled) == (school, "7B AI literacy", False)
    assert Membership.objects.get(user=user, group=group).role == Role.LEARNER
    assert Enrolment.objects.filter(user=user, course=course).exists()
    assert Assignment.objects.filter(group=group, course=course).exists()
    assert Placement.objects.get().page_id == quiz_lesson.pk

    again = launch(client, platform, Launch(user_id="student-7", custom={"page": str(quiz_lesson.pk)}))
    assert again.status_code == 302
    assert get_user_model().objects.count() == 1 and ContextGroup.objects.count() == 1


def test_an_instructor_teaches_the_class_and_is_not_enrolled(client, platform, registered, lessons):
    course, quiz_lesson, _reading = lessons
    launch(client, platform, Launch(user_id="student-1", custom={"page": str(quiz_lesson.pk)}))
    response = launch(
        client, platform, Launch(user_id="teacher-1", roles=[INSTRUCTOR], custom={"page": str(course.pk)})
    )

    assert response["Location"] == course.url
    teacher = LtiUser.objects.get(sub="teacher-1").auth_user
    group = ContextGroup.objects.get().group
    assert Membership.objects.get(user=teacher, group=group).role == Role.TEACHER
    assert not Enrolment.objects.filter(user=teacher).exists()
    assert Membership.objects.get(user__lti_users__sub="student-1", group=group).role == Role.LEARNER


def test_the_lms_role_of_the_latest_launch_is_the_class_role(client, platform, registered, lessons):
    _course, quiz_lesson, _reading = lessons
    launch(client, platform, Launch(user_id="person-1", roles=[LEARNER], custom={"page": str(quiz_lesson.pk)}))
    launch(client, platform, Launch(user_id="person-1", roles=[INSTRUCTOR], custom={"page": str(quiz_lesson.pk)}))

    assert Membership.objects.get(user__lti_users__sub="person-1").role == Role.TEACHER


def test_a_mentor_is_logged_in_but_joins_no_class(client, platform, registered, lessons):
    _course, quiz_lesson, _reading = lessons
    response = launch(
        client, platform, Launch(user_id="parent-1", roles=[MENTOR], custom={"page": str(quiz_lesson.pk)})
    )

    assert response.status_code == 302
    assert not Membership.objects.exists() and not ContextGroup.objects.exists()


def test_the_target_link_uri_names_the_page_and_the_lms_language_picks_its_translation(
    client, platform, registered, lessons
):
    _course, quiz_lesson, _reading = lessons
    estonian = translate(quiz_lesson, "et", title="Mis on tehisintellekt")
    spec = Launch(user_id="student-2", target_link_uri=platform.tool(f"/lti/pages/{quiz_lesson.pk}/"), locale="et-EE")

    response = launch(client, platform, spec)

    assert response["Location"] == estonian.url
    assert Placement.objects.get().page_id == quiz_lesson.pk  # the link keeps what the teacher placed


def test_a_link_naming_no_page_of_the_site_goes_to_the_dashboard(client, platform, registered, lessons):
    response = launch(client, platform, Launch(user_id="student-3", custom={"page": "999999"}))

    assert response.status_code == 302 and response["Location"].endswith("/learn/dashboard/")
    assert not Placement.objects.exists()


def test_the_same_person_through_a_second_registration_of_the_lms_keeps_their_account(
    client, platform, registered, lessons, school
):
    from tests.lti.conftest import register

    _course, quiz_lesson, _reading = lessons
    launch(client, platform, Launch(user_id="student-4", custom={"page": str(quiz_lesson.pk)}))
    platform.client_id = "tool-client-2"
    register(platform, school, name="School Moodle, second tool")
    launch(client, platform, Launch(user_id="student-4", custom={"page": str(quiz_lesson.pk)}))

    assert LtiUser.objects.filter(sub="student-4").count() == 2
    assert len({lms_user.auth_user_id for lms_user in LtiUser.objects.filter(sub="student-4")}) == 1


def test_the_page_link_outside_an_lms_opens_the_page(client, lessons):
    _course, quiz_lesson, _reading = lessons
    response = client.get(f"/lti/pages/{quiz_lesson.pk}/")
    assert response.status_code == 302 and response["Location"] == quiz_lesson.url
