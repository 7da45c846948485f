"""Syncing a roster: groups, members (added directly only when already in the organisation, else invited) and
assignments, through the organisation services the site's pages use."""

import datetime
import socket

import pytest
from django.utils import timezone

from lessons.models import Enrolment, Group, Invitation, LessonProgress, Membership
from tests.factories import (
    GroupFactory,
    UserFactory,
    assign,
    complete_lesson,
    course,
    course_with_lessons,
    member,
    translate,
)

pytestmark = pytest.mark.django_db
Role = Membership.Role


def test_groups_are_created_renamed_read_and_deleted(api, school, write_key, read_key):
    created = api("post", "/groups", write_key, json_body={"name": "  Class 10A "})
    assert created.status_code == 201
    group = Group.objects.get(pk=created.json()["id"])
    assert group.organisation == school and group.name == "Class 10A" and group.created_by is None
    assert not group.memberships.exists()  # a syncing system becomes nobody's teacher

    renamed = api("patch", f"/groups/{group.pk}", write_key, json_body={"name": "Class 10B"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Class 10B"
    assert renamed.json()["updated_at"] > created.json()["updated_at"]
    assert api("get", f"/groups/{group.pk}", read_key).json()["name"] == "Class 10B"

    assert api("delete", f"/groups/{group.pk}", write_key).status_code == 204
    assert not Group.objects.filter(pk=group.pk).exists()
    assert api("get", f"/groups/{group.pk}", read_key).status_code == 404


def test_a_blank_group_name_is_a_validation_error_naming_the_field(api, write_key):
    response = api("post", "/groups", write_key, json_body={"name": "   "})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["details"][0]["loc"][-1] == "name" and body["details"][0]["message"]
    assert not Group.objects.exists()


def test_group_lists_sync_by_updated_since_oldest_change_first(api, school, read_key):
    old = GroupFactory(organisation=school, name="Old")
    GroupFactory(organisation=school, name="New")
    GroupFactory(name="Elsewhere")
    Group.objects.filter(pk=old.pk).update(updated_at=timezone.now() - datetime.timedelta(days=3))
    everything = api("get", "/groups", read_key).json()
    assert [item["name"] for item in everything["items"]] == ["Old", "New"] and everything["count"] == 2
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert [item["name"] for item in api("get", "/groups", read_key, updated_since=since).json()["items"]] == ["New"]
    page = api("get", "/groups", read_key, limit=1, offset=1).json()
    assert [item["name"] for item in page["items"]] == ["New"] and page["count"] == 2


def test_someone_already_in_the_organisation_is_added_at_once(api, school, class_9b, write_key, read_key):
    course_page, _lessons = course_with_lessons()
    assign(class_9b, course_page)
    pupil = member(GroupFactory(organisation=school), email="Pupil@Example.org")

    added = api("post", f"/groups/{class_9b.pk}/members", write_key, json_body={"email": "pupil@example.org"})
    assert added.status_code == 201
    assert added.json()["user_id"] == pupil.pk and added.json()["role"] == "learner"
    assert Enrolment.objects.filter(user=pupil, course=course_page).exists()  # joining enrols, as on the site

    again = api(
        "post", f"/groups/{class_9b.pk}/members", write_key, json_body={"email": pupil.email, "role": "teacher"}
    )
    assert again.status_code == 200 and again.json()["role"] == "learner"  # kept as it was
    listed = api("get", f"/groups/{class_9b.pk}/members", read_key).json()
    assert [item["email"] for item in listed["items"]] == ["Pupil@Example.org"]


def test_anyone_else_is_invited_by_e_mail_in_the_organisations_name(api, school, class_9b, write_key, mailoutbox):
    stranger = UserFactory(email="stranger@example.org")
    response = api(
        "post",
        f"/groups/{class_9b.pk}/members",
        write_key,
        json_body={"email": "stranger@example.org", "role": "teacher"},
    )
    assert response.status_code == 202
    assert response.json()["email"] == "stranger@example.org" and response.json()["role"] == "teacher"
    assert not Membership.objects.filter(user=stranger).exists()  # they join when they accept
    (mail,) = mailoutbox
    assert mail.to == ["stranger@example.org"] and "Tallinn School" in mail.body
    invitation = Invitation.objects.get()
    assert invitation.invited_by is None and invitation.token in mail.body

    repeated = api("post", f"/groups/{class_9b.pk}/members", write_key, json_body={"email": "STRANGER@example.org"})
    assert repeated.status_code == 202 and Invitation.objects.count() == 1 and len(mailoutbox) == 1
    assert (
        api("post", f"/groups/{class_9b.pk}/members", write_key, json_body={"email": "new@example.org"}).status_code
        == 202
    )
    listed = api("get", f"/groups/{class_9b.pk}/invitations", write_key).json()
    assert {item["email"] for item in listed["items"]} == {"stranger@example.org", "new@example.org"}


@pytest.mark.parametrize("body", [{"email": "not-an-address"}, {"email": "a@example.org", "role": "admin"}, {}])
def test_a_member_needs_an_address_and_a_group_role(api, class_9b, write_key, body):
    response = api("post", f"/groups/{class_9b.pk}/members", write_key, json_body=body)
    assert response.status_code == 422 and response.json()["details"]
    assert not Invitation.objects.exists() and not Membership.objects.exists()


def test_when_the_invitation_mail_cannot_leave_nobody_is_invited(api, class_9b, write_key, settings):
    with socket.socket() as closed:  # a port nothing listens on: the SMTP connection is refused
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    response = api("post", f"/groups/{class_9b.pk}/members", write_key, json_body={"email": "new@example.org"})
    assert response.status_code == 503 and response.json()["code"] == "unavailable"
    assert not Invitation.objects.exists()


def test_removing_a_member_keeps_their_own_record_and_withdraws_open_invitations(api, class_9b, write_key):
    course_page, lessons = course_with_lessons()
    assign(class_9b, course_page)
    pupil = member(class_9b, email="pupil@example.org")
    Enrolment.objects.create(user=pupil, course=course_page)
    complete_lesson(pupil, lessons[0])
    invitation = Invitation.objects.create(group=class_9b, email="pupil@example.org")

    assert api("delete", f"/groups/{class_9b.pk}/members", write_key, email="PUPIL@example.org").status_code == 204
    assert not Membership.objects.filter(user=pupil).exists()
    assert Enrolment.objects.filter(user=pupil).exists() and LessonProgress.objects.filter(user=pupil).exists()
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None

    again = api("delete", f"/groups/{class_9b.pk}/members", write_key, email="pupil@example.org")
    assert again.status_code == 404 and again.json()["code"] == "not_found"


def test_assignments_are_made_re_dated_and_withdrawn(api, class_9b, write_key, read_key):
    course_page, _lessons = course_with_lessons()
    pupil = member(class_9b)
    due = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()

    made = api("post", f"/groups/{class_9b.pk}/assignments", write_key, json_body={"course_id": course_page.pk})
    assert made.status_code == 201
    assert made.json()["course_id"] == course_page.pk and made.json()["due_date"] is None
    assert made.json()["course_title"] == "AI basics" and made.json()["course_locale"] == "en"
    assert Enrolment.objects.filter(user=pupil, course=course_page).exists()

    estonian = translate(course_page, "et", title="Tehisintellekti alused")
    redated = api(
        "post", f"/groups/{class_9b.pk}/assignments", write_key, json_body={"course_id": estonian.pk, "due_date": due}
    )
    assert redated.status_code == 200 and redated.json()["id"] == made.json()["id"]
    assert redated.json()["course_locale"] == "et" and redated.json()["due_date"] == due
    listed = api("get", f"/groups/{class_9b.pk}/assignments", read_key).json()
    assert listed["count"] == 1

    gone = api("delete", f"/groups/{class_9b.pk}/assignments/{made.json()['id']}", write_key)
    assert gone.status_code == 204 and not class_9b.assignments.exists()
    assert Enrolment.objects.filter(user=pupil, course=course_page).exists()


def test_an_assignment_needs_a_live_course_and_a_due_date_not_in_the_past(api, class_9b, write_key):
    draft = course(title="Draft course", publish=False)
    live, _lessons = course_with_lessons()
    for body, field in [
        ({"course_id": draft.pk}, "course_id"),
        ({"course_id": live.pk + 1000}, "course_id"),
        ({"course_id": live.pk, "due_date": "2020-01-01"}, "due_date"),
    ]:
        response = api("post", f"/groups/{class_9b.pk}/assignments", write_key, json_body=body)
        assert response.status_code == 422, body
        assert response.json()["details"][0]["loc"] == ["body", field]
    assert not class_9b.assignments.exists()
