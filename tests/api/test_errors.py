"""One error body for every refusal, rate limits per token, and the bounds of pagination."""

import pytest

from api.tokens.services import create_token

pytestmark = pytest.mark.django_db


def test_each_token_has_its_own_allowance(api, settings, school, read_key):
    settings.API_RATE_LIMIT = "3/m"
    assert [api("get", "/groups", read_key).status_code for _ in range(3)] == [200, 200, 200]
    refused = api("get", "/groups", read_key)
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited" and "seconds" in refused.json()["message"]
    assert 0 < int(refused["Retry-After"]) <= 60
    assert api("get", "/groups", create_token(organisation=school)[1]).status_code == 200


def test_guessing_keys_is_metered_per_client_address(api, settings, read_key):
    settings.API_ANONYMOUS_RATE_LIMIT = "2/m"
    assert [api("get", "/groups", f"ailp_guess{n}").status_code for n in range(2)] == [401, 401]
    assert api("get", "/groups", "ailp_guess3").status_code == 429
    assert api("get", "/groups", read_key).status_code == 200  # a valid token has its own allowance


@pytest.mark.parametrize(
    ("query", "loc"),
    [
        ({"limit": 201}, ["query", "limit"]),
        ({"limit": 0}, ["query", "limit"]),
        ({"offset": -1}, ["query", "offset"]),
        ({"updated_since": "yesterday"}, ["query", "updated_since"]),
    ],
)
def test_invalid_parameters_are_422_with_the_field_named(api, read_key, query, loc):
    response = api("get", "/groups", read_key, **query)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error" and body["details"][0]["loc"] == loc and body["details"][0]["type"]


@pytest.mark.parametrize("since", ["2000-01-01T00:00:00", "2000-01-01", "946684800", "0.5"])
def test_updated_since_is_a_date_and_time_with_its_offset(api, read_key, class_9b, since):
    """Pydantic alone would take a number for seconds since 1970; a time without an offset is ambiguous."""
    assert api("get", "/groups", read_key, updated_since=since).status_code == 422
    assert api("get", "/groups", read_key, updated_since="2000-01-01T02:00:00+02:00").json()["count"] == 1


def test_a_body_that_is_not_json_is_400_with_the_same_body(client, write_key):
    response = client.post(
        "/api/v1/groups", "{not json", content_type="application/json", headers={"Authorization": f"Bearer {write_key}"}
    )
    assert response.status_code == 400
    assert response.json() == {"code": "bad_request", "message": "The request body is not valid JSON.", "details": []}


def test_a_path_the_api_does_not_have_is_a_json_404(client):
    response = client.get("/api/v1/nothing/here")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"


def test_messages_follow_accept_language(client):
    response = client.get("/api/v1/groups", headers={"Accept-Language": "et"})
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    english = client.get("/api/v1/groups", headers={"Accept-Language": "en"}).json()["message"]
    assert response.json()["message"] != english
