"""The denial matrix of the API: no token, a bad, revoked or read-only one, and another organisation's token,
on every endpoint of an organisation. Refusals are 401/403/404 with the one error body, and change nothing."""

import pytest

from api.models import ApiToken
from api.tokens.services import create_token, revoke_token
from lessons.models import Assignment, Group, Membership
from tests.factories import assign, complete_lesson, course_with_lessons, member

pytestmark = pytest.mark.django_db

# (method, path, JSON body); {group} and {assignment} are the school's.
READS = [
    ("get", "/organisation", None),
    ("get", "/groups", None),
    ("get", "/groups/{group}", None),
    ("get", "/groups/{group}/members", None),
    ("get", "/groups/{group}/invitations", None),
    ("get", "/groups/{group}/assignments", None),
    ("get", "/progress", None),
    ("get", "/completions", None),
    ("get", "/training-record", None),
]
WRITES = [
    ("post", "/groups", {"name": "Class 10A"}),
    ("patch", "/groups/{group}", {"name": "Renamed"}),
    ("delete", "/groups/{group}", None),
    ("post", "/groups/{group}/members", {"email": "new@example.org", "role": "learner"}),
    ("delete", "/groups/{group}/members?email=pupil@example.org", None),
    ("post", "/groups/{group}/assignments", {"course_id": "{course}"}),
    ("delete", "/groups/{group}/assignments/{assignment}", None),
]
# Everything that names one of the school's objects: another organisation's token gets 404 for each.
OF_THE_SCHOOL = [endpoint for endpoint in READS + WRITES if "{group}" in endpoint[1]] + [
    ("get", "/progress?group_id={group}", None),
    ("get", "/completions?group_id={group}", None),
]


@pytest.fixture
def world(class_9b):
    course, lessons = course_with_lessons()
    assignment = assign(class_9b, course)
    pupil = member(class_9b, email="pupil@example.org", username="pupil")
    complete_lesson(pupil, lessons[0])
    return {"group": class_9b.pk, "assignment": assignment.pk, "course": course.pk}


def request(api, endpoint, key, world):
    method, path, body = endpoint
    path = path.format(**world)
    if body is not None:
        body = {name: int(value.format(**world)) if value == "{course}" else value for name, value in body.items()}
    return api(method, path, key, json_body=body)


def snapshot():
    return (
        list(Group.objects.values_list("pk", "name")),
        list(Membership.objects.values_list("pk", "user_id", "group_id", "role")),
        list(Assignment.objects.values_list("pk", "group_id", "course_id", "due_date")),
    )


def assert_error(response, status, code, endpoint):
    assert response.status_code == status, (endpoint, response.content)
    body = response.json()
    assert body["code"] == code and body["message"] and isinstance(body["details"], list)


@pytest.mark.parametrize("credentials", ["none", "unknown", "revoked", "basic", "empty bearer"])
def test_without_a_valid_token_every_organisation_endpoint_answers_401(api, client, school, world, credentials):
    token, key = create_token(organisation=school, scope=ApiToken.Scope.WRITE)
    revoke_token(token=token, revoked_by=None)
    before = snapshot()
    for endpoint in READS + WRITES:
        if credentials in ("basic", "empty bearer"):
            method, path, _body = endpoint
            header = "Basic dXNlcjpwYXNz" if credentials == "basic" else "Bearer "
            response = getattr(client, method)(f"/api/v1{path.format(**world)}", headers={"Authorization": header})
        else:
            keys = {"none": None, "unknown": "ailp_" + "x" * 43, "revoked": key}
            response = request(api, endpoint, keys[credentials], world)
        assert_error(response, 401, "not_authenticated", endpoint)
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert snapshot() == before


def test_a_read_token_may_not_write(api, world, read_key):
    before = snapshot()
    for endpoint in WRITES:
        assert_error(request(api, endpoint, read_key, world), 403, "write_scope_required", endpoint)
    assert snapshot() == before


def test_another_organisations_token_finds_none_of_the_schools_objects(api, world, other_write_key):
    before = snapshot()
    for endpoint in OF_THE_SCHOOL:
        response = request(api, endpoint, other_write_key, world)
        assert_error(response, 404, "not_found", endpoint)
        assert "9B" not in response.content.decode() and "pupil" not in response.content.decode()
    assert snapshot() == before
    for path in ("/groups", "/progress", "/completions", "/training-record"):
        response = api("get", path, other_write_key)
        assert response.status_code == 200 and response.json() == {"items": [], "count": 0}, path


def test_the_schools_own_token_reaches_what_the_others_do_not(api, world, read_key):
    """The refusals above are about whose token it is, not broken endpoints."""
    for endpoint in READS + OF_THE_SCHOOL[-2:]:
        assert request(api, endpoint, read_key, world).status_code == 200, endpoint
