"""What the API tests share: two organisations with tokens, and a client that speaks JSON with a bearer token."""

import json
from urllib.parse import urlencode

import pytest

from api.models import ApiToken
from api.tokens.services import create_token
from lessons.models import Organisation
from tests.factories import GroupFactory, OrganisationFactory

WRITE = ApiToken.Scope.WRITE


@pytest.fixture
def school():
    return OrganisationFactory(name="Tallinn School", slug="tallinn-school", kind=Organisation.Kind.SCHOOL)


@pytest.fixture
def other_school():
    """Organisation B: its token must never reach the school's objects, nor the school's token B's."""
    return OrganisationFactory(name="Tartu School", slug="tartu-school", kind=Organisation.Kind.SCHOOL)


@pytest.fixture
def read_key(school):
    return create_token(organisation=school, name="SIS (read)")[1]


@pytest.fixture
def write_key(school):
    return create_token(organisation=school, scope=WRITE, name="SIS")[1]


@pytest.fixture
def other_write_key(other_school):
    return create_token(organisation=other_school, scope=WRITE)[1]


@pytest.fixture
def class_9b(school):
    return GroupFactory(organisation=school, name="Class 9B")


@pytest.fixture
def api(client):
    """``api("get", "/groups", key, limit=5)``, ``api("post", "/groups", key, json={...})``: a response from /api/v1."""

    def call(method, path, key=None, *, json_body=None, **query):
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        url = f"/api/v1{path}" + (f"?{urlencode(query)}" if query else "")
        if json_body is not None:
            return getattr(client, method)(url, json.dumps(json_body), content_type="application/json", headers=headers)
        return getattr(client, method)(url, headers=headers)

    return call
