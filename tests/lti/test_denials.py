"""What the tool refuses: launches it cannot verify, from LMSs or deployments it does not know, replays,
and any way for one organisation's launch to reach another's class."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from lti_tool.models import LtiDeployment

from lessons.models import Membership
from lti.models import ContextGroup, LmsDeployment, LmsPlatform
from tests.factories import GroupFactory, OrganisationFactory, learning_course, member
from tests.lti.conftest import launch, register, start_launch
from tests.lti.platform import LEARNER, Launch

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesson():
    _course, quiz_lesson, _reading = learning_course()
    return quiz_lesson


def to(lesson, user_id="student-1", **fields):
    return Launch(user_id=user_id, custom={"page": str(lesson.pk)}, **fields)


def assert_refused(response, status, reason):
    assert response.status_code == status, response.content.decode()
    assert reason in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session
    assert not get_user_model().objects.exists()


def test_a_launch_signed_with_another_key_is_refused(client, platform, registered, lesson):
    assert_refused(launch(client, platform, to(lesson, forge_signature=True)), 403, "Signature verification failed")


def test_a_launch_naming_another_issuer_is_refused(client, platform, registered, lesson):
    response = launch(client, platform, to(lesson, issuer_override="https://other-lms.example"))
    assert_refused(response, 403, "Registration not found")


def test_a_launch_for_another_client_is_refused(client, platform, registered, lesson):
    assert_refused(
        launch(client, platform, to(lesson, client_id_override="someone-else")), 403, "Registration not found"
    )


def test_a_launch_through_an_unregistered_deployment_is_refused_and_stores_nothing(
    client, platform, registered, lesson
):
    response = launch(client, platform, to(lesson, deployment_id="deployment-nobody-registered"))
    assert_refused(response, 403, "Unable to find deployment")
    assert LtiDeployment.objects.count() == 1  # django-lti would have stored an inactive one


def test_a_launch_through_a_switched_off_deployment_or_platform_is_refused(client, platform, registered, lesson):
    lms, deployment = registered
    LmsDeployment.objects.filter(pk=deployment.pk).update(is_active=False)
    assert_refused(launch(client, platform, to(lesson)), 403, "Unable to find deployment")
    LmsDeployment.objects.filter(pk=deployment.pk).update(is_active=True)
    LmsPlatform.objects.filter(pk=lms.pk).update(is_active=False)
    hint = platform.add_launch(to(lesson))
    login = platform.login_url(hint).removeprefix("http://testserver")
    assert_refused(client.get(login), 400, "does not know the LMS")


def test_a_log_in_from_an_unknown_lms_is_refused(client, platform, lesson):
    hint = platform.add_launch(to(lesson))
    response = client.get(platform.login_url(hint).removeprefix("http://testserver"))
    assert_refused(response, 400, "Could not find registration details")


def test_a_replayed_launch_is_refused(client, platform, registered, lesson):
    action, fields = start_launch(client, platform, to(lesson))
    assert client.post(action, fields).status_code == 302
    client.logout()

    replay = client.post(action, fields)  # the same id_token, state and state cookie

    assert replay.status_code == 403 and "Invalid Nonce" in replay.content.decode()
    assert "_auth_user_id" not in replay.wsgi_request.session


def test_a_launch_posted_from_another_browser_is_refused(client, platform, registered, lesson):
    action, fields = start_launch(client, platform, to(lesson))
    # No state cookie: this is not the browser the log-in was started in.
    assert_refused(Client().post(action, fields), 403, "State not found")


def test_a_launch_needs_its_id_token(client, platform, registered, lesson):
    action, fields = start_launch(client, platform, to(lesson))
    assert_refused(client.post(action, {"state": fields["state"]}), 403, "Missing id_token")


def test_a_course_of_organisation_a_never_fills_a_class_of_organisation_b(client, platform, lesson):
    school_a, school_b = OrganisationFactory(name="School A"), OrganisationFactory(name="School B")
    class_b = GroupFactory(organisation=school_b, name="7B AI literacy")
    register(platform, school_a, deployment_id="deployment-a")
    register(platform, school_b, deployment_id="deployment-b")

    launch(client, platform, to(lesson, deployment_id="deployment-a", context_id="course-1"))
    launch(client, platform, to(lesson, deployment_id="deployment-b", context_id="course-1", user_id="student-2"))

    student_a = get_user_model().objects.get(lti_users__sub="student-1")
    assert [m.group.organisation for m in Membership.objects.filter(user=student_a)] == [school_a]
    assert not class_b.memberships.exists()
    assert ContextGroup.objects.get(organisation=school_b).group != class_b  # a class of its own, same name or not


def test_moving_a_deployment_to_another_organisation_does_not_carry_its_learners_into_the_old_class(
    client, platform, registered, lesson
):
    _lms, deployment = registered
    launch(client, platform, to(lesson))
    old_class = ContextGroup.objects.get().group
    other = OrganisationFactory(name="Another school")
    LmsDeployment.objects.filter(pk=deployment.pk).update(organisation=other)

    launch(client, platform, to(lesson, user_id="student-2", roles=[LEARNER]))

    newcomer = get_user_model().objects.get(lti_users__sub="student-2")
    assert not old_class.memberships.filter(user=newcomer).exists()
    assert Membership.objects.get(user=newcomer).group.organisation == other


def test_a_learner_cannot_answer_a_deep_linking_request(client, platform, registered, lesson):
    response = launch(client, platform, Launch(user_id="student-1", deep_linking=True))
    assert response.status_code == 403 and "teachers" in response.content.decode()


def test_a_page_link_to_an_unpublished_or_private_page_is_not_found(client, lesson):
    lesson.unpublish()
    assert client.get(f"/lti/pages/{lesson.pk}/", follow=True).status_code == 404
    assert client.get("/lti/pages/999999/", follow=True).status_code == 404


def test_launches_are_rate_limited_per_address(client, platform, registered, lesson, settings):
    settings.LTI_RATE_LIMIT = "2/m"
    action, fields = start_launch(client, platform, to(lesson))  # the log-in counts once
    assert client.post(action, fields).status_code == 302
    limited = client.post(action, fields)
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0


def test_an_unrelated_group_member_keeps_their_class(client, platform, registered, lesson, school):
    existing = GroupFactory(organisation=school, name="7B AI literacy")
    teacher = member(existing, role=Membership.Role.TEACHER)
    launch(client, platform, to(lesson))
    assert list(existing.memberships.values_list("user", flat=True)) == [teacher.pk]


def test_a_launch_never_logs_into_a_staff_account(client, platform, registered, lesson):
    launch(client, platform, to(lesson))
    client.logout()
    get_user_model().objects.filter(lti_users__sub="student-1").update(is_staff=True)  # an admin linked it by hand

    response = launch(client, platform, to(lesson))

    assert response.status_code == 403 and "staff account" in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session
