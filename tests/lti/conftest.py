"""The LTI tests' shared parts: an LMS on loopback (tests/lti/platform.py), its registration here, launching."""

from urllib.parse import urlsplit

import pytest
import requests

from lti.models import LmsDeployment, LmsPlatform
from lti.services import ensure_signing_key
from tests.factories import OrganisationFactory
from tests.lti.platform import Platform, launch_form_fields


@pytest.fixture
def platform():
    """A running LMS whose tool is this site as the Django test client reaches it (http://testserver)."""
    lms = Platform().start()
    lms.tool_url = "http://testserver"
    yield lms
    lms.stop()


def register(platform, organisation, *, deployment_id=None, name="School Moodle"):
    """What a site administrator does in the admin: the LMS, and one deployment tied to ``organisation``."""
    ensure_signing_key()
    lms = LmsPlatform.objects.filter(issuer=platform.issuer, client_id=platform.client_id).first()
    if lms is None:
        lms = LmsPlatform.objects.create(name=name, **platform.registration_fields())
    deployment = LmsDeployment.objects.create(
        registration=lms,
        deployment_id=deployment_id or platform.deployment_id,
        organisation=organisation,
        is_active=True,
    )
    return lms, deployment


@pytest.fixture
def school(db):
    return OrganisationFactory(name="Tallinn School")


@pytest.fixture
def registered(platform, school):
    return register(platform, school)


def start_launch(client, platform, launch, **login_headers):
    """The browser's part up to the launch: log-in initiation at the tool, then the platform's signed form."""
    hint = platform.add_launch(launch)
    login = urlsplit(platform.login_url(hint))
    # lti1p3_new_window: past the cookie check a page in a frame first shows (test_framing.py covers it)
    response = client.get(f"{login.path}?{login.query}&lti1p3_new_window=1", **login_headers)
    assert response.status_code == 302, response.content.decode()
    form = requests.get(response["Location"], timeout=10)
    assert form.status_code == 200, form.text
    action, fields = launch_form_fields(form.text)
    return urlsplit(action).path, fields


def launch(client, platform, spec, **headers):
    """A whole launch through the Django test client; returns the tool's answer to the launch post."""
    action, fields = start_launch(client, platform, spec, **headers)
    return client.post(action, fields, **headers)
