"""The identity tests' provider: one real oidc-provider-mock for the session, and a sign-in through it.

Sign-ins here are driven with Django's test client on the site's side and plain HTTP on the
provider's (its "Authorize" form); the site talks to the provider over loopback as in production.
The browser journeys (tests/browser/test_oidc_journey.py) drive the same flow in Chromium.
"""

import pytest
from django.urls import reverse

from tests.identity.provider import MockProvider, provider_settings

PROVIDER_ID = "school"
PROVIDER_NAME = "School ID"


@pytest.fixture(scope="session")
def mock_provider():
    with MockProvider() as provider:
        yield provider


@pytest.fixture
def provider(settings, mock_provider):
    """The session's provider, configured as the only sign-in provider, "school" ("School ID")."""
    settings.SOCIALACCOUNT_PROVIDERS = provider_settings((PROVIDER_ID, mock_provider, PROVIDER_NAME))
    return mock_provider


@pytest.fixture
def start_sign_in():
    def start_sign_in(client, *, provider_id=PROVIDER_ID, **data):
        """POST the sign-in button; returns the URL of the provider's authorization page it sends the browser to."""
        response = client.post(reverse("identity:login", args=[provider_id]), data)
        assert response.status_code == 200, response.content.decode()
        return response.context["url"]

    return start_sign_in


@pytest.fixture
def sign_in(provider, start_sign_in):
    def sign_in(client, sub, **data):
        """A whole sign-in as ``sub``: button, provider, callback. Returns the callback's response."""
        callback = provider.authorize(start_sign_in(client, **data), sub)
        return client.get(callback)

    return sign_in
