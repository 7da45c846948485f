"""Schemathesis against /api/v1/openapi.json, through the site's own WSGI application (every middleware included).

For every operation it generates requests from the schema (valid and invalid ones) and checks that
none is a server error, every response matches the schema (status code, content type, body), and
that operations declaring the bearer token refuse requests without it or with a wrong one. It runs
deterministically (derandomised) and briefly: a few examples per operation.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from api.models import ApiToken
from api.tokens.keys import PREFIX_SHOWN, hash_key, new_key
from api.v1.api import api
from lessons.models import Certificate
from tests.factories import GroupFactory, assign, complete_lesson, course_with_lessons, member

EXAMPLES_PER_OPERATION = 8
KEY = new_key()  # the fixture stores it as a write token of the school

# Built from the API object, not fetched: collection runs before any test may touch the database.
schema = schemathesis.openapi.from_dict(
    api.get_openapi_schema(),
    config=schemathesis.Config.from_dict(
        {
            "auth": {"openapi": {"TokenAuth": {"bearer": KEY}}},
            "generation": {"max-examples": EXAMPLES_PER_OPERATION, "deterministic": True},
        }
    ),
)
schema.app = get_wsgi_application()


@pytest.fixture
def same_connection():
    """Keep the test's database connection across requests, as Django's test client does: the WSGI handler
    would close it when each request finishes, and with it the test's transaction."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def school_with_records(db, same_connection, school, settings):
    """A school with a class, a learner with progress and a certificate, and the write token KEY."""
    settings.API_RATE_LIMIT = settings.API_ANONYMOUS_RATE_LIMIT = "100000/m"
    group = GroupFactory(organisation=school, name="Class 9B")
    course_page, lessons = course_with_lessons(lesson_titles=("What AI is",))
    assign(group, course_page)
    pupil = member(group, email="pupil@example.org")
    complete_lesson(pupil, lessons[0])
    Certificate.objects.create(user=pupil, course=course_page, learner_name="Pupil", course_title=course_page.title)
    ApiToken.objects.create(
        organisation=school, scope=ApiToken.Scope.WRITE, prefix=KEY[:PREFIX_SHOWN], key_hash=hash_key(KEY)
    )


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_keeps_to_its_schema_and_enforces_its_tokens(school_with_records, case):
    case.call_and_validate()
