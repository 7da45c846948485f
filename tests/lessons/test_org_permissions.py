"""The denial matrix: every org view × every role × whose object it is.

Outside their reach people get 404 (nothing reveals that another organisation's group, learner
or export exists); anonymous visitors are sent to log in; allowed roles get the page or action.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from lessons.models import ExportJob, Invitation, Membership
from tests.factories import GroupFactory, assign, course_with_lessons, member, org_admin

pytestmark = pytest.mark.django_db
Role = Membership.Role
ROLES = ["anonymous", "outsider", "learner", "other_teacher", "teacher", "admin", "teacher_b", "admin_b"]


@pytest.fixture
def world():
    """Organisation A with class A1 (teacher, learner) and A2 (other teacher); organisation B alike."""
    course, _ = course_with_lessons()
    a1 = GroupFactory(name="A1")
    a2 = GroupFactory(name="A2", organisation=a1.organisation)
    b1 = GroupFactory(name="B1")
    assign(a1, course)
    people = {
        "anonymous": None,
        "outsider": member(GroupFactory()),  # a learner elsewhere: signed in, unrelated
        "learner": member(a1),
        "other_teacher": member(a2, Role.TEACHER),
        "teacher": member(a1, Role.TEACHER),
        "admin": org_admin(a1.organisation),
        "teacher_b": member(b1, Role.TEACHER),
        "admin_b": org_admin(b1.organisation),
    }
    member(b1)
    job = ExportJob.objects.create(
        organisation=a1.organisation,
        requested_by=people["admin"],
        status=ExportJob.Status.DONE,
        content="a,b\n",
        finished_at=timezone.now(),
    )
    invitation = Invitation.objects.create(group=a1, email="invited@example.org", invited_by=people["teacher"])
    return {
        "group": a1,
        "organisation": a1.organisation,
        "job": job,
        "invitation": invitation,
        "course": course,
        "people": people,
    }


GROUP_STAFF = {"teacher", "admin"}
ORG_ADMINS = {"admin"}

# (url name, method, url kwargs from world, POST data from world, who may)
VIEWS = [
    ("group", "get", lambda w: {"pk": w["group"].pk}, None, GROUP_STAFF),
    ("group-rotate-code", "post", lambda w: {"pk": w["group"].pk}, None, GROUP_STAFF),
    ("group-toggle-code", "post", lambda w: {"pk": w["group"].pk}, None, GROUP_STAFF),
    ("group-invite", "post", lambda w: {"pk": w["group"].pk}, lambda w: {"email": "x@example.org"}, GROUP_STAFF),
    ("group-assign", "post", lambda w: {"pk": w["group"].pk}, lambda w: {"course": w["course"].pk}, GROUP_STAFF),
    (
        "group-revoke-invitation",
        "post",
        lambda w: {"pk": w["group"].pk, "invitation_pk": w["invitation"].pk},
        None,
        GROUP_STAFF,
    ),
    ("group-progress-csv", "post", lambda w: {"pk": w["group"].pk}, None, GROUP_STAFF),
    (
        "learner",
        "get",
        lambda w: {"pk": w["group"].pk, "user_id": w["people"]["learner"].pk},
        None,
        GROUP_STAFF,
    ),
    ("organisation", "get", lambda w: {"slug": w["organisation"].slug}, None, ORG_ADMINS),
    ("training-record", "get", lambda w: {"slug": w["organisation"].slug}, None, ORG_ADMINS),
    ("training-record-csv", "post", lambda w: {"slug": w["organisation"].slug}, None, ORG_ADMINS),
    ("export-start", "post", lambda w: {"slug": w["organisation"].slug}, None, ORG_ADMINS),
    ("export", "get", lambda w: {"pk": w["job"].pk}, None, ORG_ADMINS),
    ("export-progress", "get", lambda w: {"pk": w["job"].pk}, None, ORG_ADMINS),
    ("export-download", "get", lambda w: {"pk": w["job"].pk}, None, ORG_ADMINS),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "kwargs", "data", "allowed"), VIEWS, ids=[view[0] for view in VIEWS])
def test_denial_matrix(client, world, role, name, method, kwargs, data, allowed):
    user = world["people"][role]
    if user:
        client.force_login(user)
    url = reverse(f"lessons:org:{name}", kwargs=kwargs(world))
    response = getattr(client, method)(url, data(world) if data else {})
    if role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    elif role in allowed:
        assert response.status_code in (200, 302), response.content[:300]
    else:
        assert response.status_code == 404


def test_a_teacher_cannot_drill_down_to_someone_outside_their_group(client, world):
    client.force_login(world["people"]["teacher"])
    for stranger in ("other_teacher", "teacher_b", "outsider", "teacher"):
        url = reverse("lessons:org:learner", args=[world["group"].pk, world["people"][stranger].pk])
        assert client.get(url).status_code == 404, stranger


def test_denied_actions_change_nothing(client, world):
    group = world["group"]
    code = group.join_code
    client.force_login(world["people"]["teacher_b"])
    client.post(reverse("lessons:org:group-rotate-code", args=[group.pk]))
    client.post(reverse("lessons:org:group-toggle-code", args=[group.pk]))
    client.post(reverse("lessons:org:group-invite", args=[group.pk]), {"email": "spy@example.org"})
    client.post(reverse("lessons:org:export-start", args=[world["organisation"].slug]))
    client.post(reverse("lessons:org:group-revoke-invitation", args=[group.pk, world["invitation"].pk]))
    group.refresh_from_db()
    assert (group.join_code, group.join_code_enabled) == (code, True)
    assert list(group.invitations.values_list("email", "revoked_at")) == [("invited@example.org", None)]
    assert ExportJob.objects.count() == 1


@pytest.mark.parametrize(
    "name", ["group-rotate-code", "group-toggle-code", "group-invite", "group-assign", "group-progress-csv"]
)
def test_group_actions_refuse_get(client, world, name):
    client.force_login(world["people"]["teacher"])
    assert client.get(reverse(f"lessons:org:{name}", args=[world["group"].pk])).status_code == 405


def test_revoking_refuses_get(client, world):
    client.force_login(world["people"]["teacher"])
    url = reverse("lessons:org:group-revoke-invitation", args=[world["group"].pk, world["invitation"].pk])
    assert client.get(url).status_code == 405
    world["invitation"].refresh_from_db()
    assert world["invitation"].revoked_at is None


@pytest.mark.parametrize("role", ["outsider", "learner"])
def test_only_teachers_and_admins_may_create_a_group(client, world, role):
    client.force_login(world["people"][role])
    response = client.post(reverse("lessons:org:group-create"), {"name": "Sneaky"})
    assert response.status_code == 403
    assert b"Ask your organisation" in response.content
    assert not world["organisation"].groups.filter(name="Sneaky").exists()


def test_a_teacher_cannot_create_a_group_in_another_organisation(client, world):
    client.force_login(world["people"]["teacher"])
    other = world["people"]["teacher_b"].memberships.get().organisation
    response = client.post(reverse("lessons:org:group-create"), {"organisation": other.pk, "name": "Sneaky"})
    assert response.status_code == 400
    assert not other.groups.filter(name="Sneaky").exists()


def test_only_admins_may_invite_staff(client, world):
    group = world["group"]
    client.force_login(world["people"]["teacher"])
    response = client.post(
        reverse("lessons:org:group-invite", args=[group.pk]), {"email": "t@example.org", "role": "teacher"}
    )
    assert response.status_code == 400 and not group.invitations.filter(email="t@example.org").exists()
    client.force_login(world["people"]["admin"])
    response = client.post(
        reverse("lessons:org:group-invite", args=[group.pk]), {"email": "t@example.org", "role": "teacher"}
    )
    assert response.status_code == 302 and group.invitations.get(email="t@example.org").role == Role.TEACHER
