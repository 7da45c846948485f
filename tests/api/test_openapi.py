"""The published schema: the one Schemathesis checks, documenting pagination, errors and authentication."""

import json

import pytest
from ninja.responses import NinjaJSONEncoder

from api.v1.api import api

pytestmark = pytest.mark.django_db
PUBLIC = {"/api/v1/courses", "/api/v1/courses/{course_id}", "/api/v1/courses/{course_id}/lessons"}
PUBLIC |= {"/api/v1/certificates/{code}"}


@pytest.fixture(scope="module")
def schema():
    """As JSON has it (status codes as strings)."""
    return json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder))


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_the_served_schema_is_the_one_tested(client, schema):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.json() == schema


def test_every_error_response_has_the_one_error_body(schema):
    for path, method, operation in operations(schema):
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                body = response["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/Error"}, (method, path, status)
        assert "422" in operation["responses"] and "429" in operation["responses"], (method, path)


def test_lists_are_paginated_and_organisation_endpoints_need_the_token(schema):
    for path, method, operation in operations(schema):
        if "Paged" in str(operation["responses"].get("200", "")):
            names = {parameter["name"] for parameter in operation.get("parameters", [])}
            assert {"limit", "offset"} <= names, (method, path)
        if path in PUBLIC:
            assert "security" not in operation, path
        else:
            assert operation["security"] == [{"TokenAuth": []}], (method, path)
            assert "401" in operation["responses"], (method, path)
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {"type": "http", "scheme": "bearer"}


def test_the_docs_page_loads_swagger_ui_from_this_site(client):
    html = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html and "cdn" not in html.lower()
