"""Registering an LMS in the Wagtail admin: the tool's URLs to enter there, its keys, deployments, the grade record;
and the LMS part of a person's data download and account deletion."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from lti_tool.models import Key, LtiRegistration, LtiUser

from cms.accounts.personal_data import sections_for
from cms.accounts.services import delete_account
from lti.models import LmsDeployment, LmsPlatform, ScoreSubmission
from lti.personal_data import lms_sections
from tests.factories import OrganisationFactory, learning_course
from tests.lti.conftest import launch
from tests.lti.platform import Launch

pytestmark = pytest.mark.django_db
PLATFORMS, DEPLOYMENTS, KEYS, GRADES = (
    "/admin/lms_platforms/",
    "/admin/lms_deployments/",
    "/admin/lti_keys/",
    "/admin/lms_grades/",
)


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "pw"))
    return client


def test_registering_an_lms_shows_the_tool_urls_and_makes_the_tools_first_key(admin_client):
    form = admin_client.get(f"{PLATFORMS}new/").content.decode()
    for url in ("http://testserver/lti/login/", "http://testserver/lti/launch/", "http://testserver/lti/jwks/"):
        assert url in form

    response = admin_client.post(
        f"{PLATFORMS}new/",
        {
            "name": "School Moodle",
            "issuer": "https://moodle.school.example",
            "client_id": "abc123",
            "auth_url": "https://moodle.school.example/mod/lti/auth.php",
            "token_url": "https://moodle.school.example/mod/lti/token.php",
            "keyset_url": "https://moodle.school.example/mod/lti/certs.php",
            "audience": "",
            "frame_origins": "",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    lms = LmsPlatform.objects.get()
    assert lms.allowed_frame_origins() == ["https://moodle.school.example"]
    (key,) = json.loads(admin_client.get("/lti/jwks/").content)["keys"]
    assert (key["kty"], key["alg"], key["use"], key["kid"]) == ("RSA", "RS256", "sig", str(Key.objects.get()))
    assert "d" not in key  # the public half only
    edit = admin_client.get(f"{PLATFORMS}edit/{lms.pk}/").content.decode()
    assert f"http://testserver/lti/login/{lms.uuid}/" in edit


def test_a_deployment_ties_an_lms_to_an_organisation(admin_client):
    school = OrganisationFactory(name="Tallinn School")
    lms = LmsPlatform.objects.create(
        name="Moodle", issuer="https://m.example", client_id="c", auth_url="https://m.example/a",
        token_url="https://m.example/t", keyset_url="https://m.example/k",
    )  # fmt: skip
    bare = LtiRegistration.objects.create(
        name="Not through this admin", issuer="https://x.example", client_id="c", auth_url="https://x.example/a",
        token_url="https://x.example/t", keyset_url="https://x.example/k",
    )  # fmt: skip
    form = admin_client.get(f"{DEPLOYMENTS}new/").content.decode()
    assert "Moodle" in form and bare.name not in form

    response = admin_client.post(
        f"{DEPLOYMENTS}new/",
        {"registration": lms.pk, "deployment_id": "1", "organisation": school.pk, "is_active": "on"},
    )

    assert response.status_code == 302
    assert LmsDeployment.objects.get().organisation == school


def test_adding_a_key_generates_a_pair_and_a_deactivated_key_leaves_the_jwks(admin_client):
    assert admin_client.post(f"{KEYS}new/", {"is_active": "on"}).status_code == 302
    assert admin_client.post(f"{KEYS}new/", {"is_active": "on"}).status_code == 302
    old, new = Key.objects.order_by("datetime_created")
    assert "PRIVATE KEY" in new.private_key and old.public_key != new.public_key
    assert "PRIVATE KEY" not in admin_client.get(f"{KEYS}edit/{new.pk}/").content.decode()

    admin_client.post(f"{KEYS}edit/{old.pk}/", {})  # unticked: no longer published

    assert [key["kid"] for key in json.loads(admin_client.get("/lti/jwks/").content)["keys"]] == [str(new)]


def test_the_grade_record_can_be_read_but_not_changed(admin_client, platform, registered):
    course, lesson, _reading = learning_course()
    launch(admin_client, platform, Launch(user_id="student-1", custom={"page": str(lesson.pk)}))
    learner = get_user_model().objects.get(lti_users__sub="student-1")
    submission = ScoreSubmission.objects.create(
        placement=learner.lti_users.get().memberships.get().context.resource_links.get().placement,
        lti_user=learner.lti_users.get(),
        user=learner,
        score_given=50,
        score_maximum=100,
        activity_progress="Submitted",
        grading_progress="FullyGraded",
        timestamp="2026-01-01T00:00:00Z",
    )
    admin_client.force_login(get_user_model().objects.get(username="root"))

    assert admin_client.get(GRADES).status_code == 200
    assert admin_client.get(f"{GRADES}inspect/{submission.pk}/").status_code == 200
    assert admin_client.get(f"{GRADES}new/").status_code in (302, 403)
    assert admin_client.post(f"{GRADES}delete/{submission.pk}/").status_code in (302, 403)
    assert ScoreSubmission.objects.filter(pk=submission.pk).exists()


def test_the_lms_menu_lists_what_is_registered(admin_client, platform, registered):
    menu = admin_client.get("/admin/").content.decode()
    assert all(listing in menu for listing in (PLATFORMS, DEPLOYMENTS, KEYS, GRADES))
    assert "School Moodle" in admin_client.get(PLATFORMS).content.decode()
    assert "Tallinn School" in admin_client.get(DEPLOYMENTS).content.decode()
    assert str(Key.objects.get()) in admin_client.get(KEYS).content.decode()


def test_a_teacher_cannot_open_the_lms_admin(client):
    teacher = get_user_model().objects.create_user("t", "t@example.com", "pw")
    teacher.groups.add(Group.objects.get(name="Teachers"))
    client.force_login(teacher)
    for listing in (PLATFORMS, DEPLOYMENTS, KEYS, GRADES):
        assert client.get(listing).status_code in (302, 403), listing


def test_a_persons_data_names_their_lms_accounts_and_deleting_the_account_removes_them(client, platform, registered):
    _course, lesson, _reading = learning_course()
    launch(client, platform, Launch(user_id="student-1", email="mari@school.example", custom={"page": str(lesson.pk)}))
    learner = get_user_model().objects.get(lti_users__sub="student-1")

    accounts, grades = lms_sections(learner)
    assert [(row["user_id"], row["email"], row["lms"]) for row in accounts.data] == [
        ("student-1", "mari@school.example", "School Moodle")
    ]
    assert grades.data == []
    assert {"lms_accounts", "lms_grades"} <= {section.key for section in sections_for(learner)}

    delete_account(learner)

    assert not LtiUser.objects.filter(sub="student-1").exists()
