"""Where sign-in providers show on the site: log-in and sign-up buttons, log-out, the data download, the admin."""

import io
import json
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from identity.models import ClaimMapping
from lessons.models import Organisation
from tests import factories as f
from tests.identity.provider import query_of

pytestmark = pytest.mark.django_db


def test_the_log_in_and_sign_up_pages_offer_each_provider_with_next(client, provider):
    for page in (f"{reverse('login')}?next=/en/learn/", f"{reverse('signup')}?next=/en/learn/"):
        html = client.get(page).content.decode()
        assert "Continue with School ID" in html
        assert 'action="/auth/oidc/school/login/"' in html
        assert 'name="next" value="/en/learn/"' in html


def test_without_providers_there_are_no_buttons(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}}
    assert "Continue with" not in client.get(reverse("login")).content.decode()


def test_logging_out_also_ends_the_session_at_the_provider(client, provider, sign_in):
    provider.set_claims("out-sub", email="out@school.example", email_verified=True)
    sign_in(client, "out-sub")
    response = client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session  # logged out here first, whatever the provider does
    assert response.status_code == 200
    url = response.context["url"]
    assert url.startswith(f"{provider.issuer}/oauth2/end_session?")
    sent = query_of(url)
    assert sent["post_logout_redirect_uri"] == "http://testserver/auth/logged-out/"
    assert sent["client_id"] == "platform-client"
    assert sent["id_token_hint"].count(".") == 2
    assert f'<meta http-equiv="refresh" content="0; url={url.replace("&", "&amp;")}">' in response.content.decode()


def test_a_password_log_out_stays_as_it_was(client, provider):
    client.force_login(f.UserFactory())
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == "/"


def test_the_provider_sends_people_back_to_the_home_page(client):
    assert client.get(reverse("identity:logged_out"))["Location"] == "/en/"


def test_the_data_download_says_which_providers_the_account_is_linked_to(client, provider, sign_in):
    provider.set_claims("data-sub", email="data@school.example", email_verified=True, school_id="123")
    sign_in(client, "data-sub")
    archive = zipfile.ZipFile(io.BytesIO(client.post(reverse("account:download")).content))
    name = next(n for n in archive.namelist() if n.endswith("data.json"))
    (link,) = json.loads(archive.read(name))["sections"]["sign_in_providers"]
    assert (link["provider"], link["subject"]) == ("School ID", "data-sub")
    assert link["claims"]["id_token"]["school_id"] == "123"


@pytest.fixture
def school():
    return Organisation.objects.create(name="Kesklinna Kool", slug="kesklinna", kind=Organisation.Kind.SCHOOL)


def test_site_administrators_map_claims_to_an_organisation_in_the_admin(client, provider, school):
    client.force_login(f.UserFactory(is_superuser=True, is_staff=True))
    add = reverse("wagtailsnippets_identity_claimmapping:add")
    form = client.get(add).context["form"]
    assert list(form.fields["provider_id"].choices) == [("school", "School ID (school)")]
    response = client.post(
        add,
        {
            "organisation": school.pk,
            "provider_id": "school",
            "organisation_claim": "school_id",
            "organisation_value": "123",
            "role_claim": "role",
            "teacher_values": "teacher",
            "learner_values": "",
            "trusts_teacher_role": "on",
        },
    )
    assert response.status_code == 302
    assert ClaimMapping.objects.get().trusts_teacher_role
    listing = client.get(reverse("wagtailsnippets_identity_claimmapping:list"), {"provider_id": "school"})
    assert listing.status_code == 200 and "Kesklinna Kool" in listing.content.decode()


def test_a_provider_not_configured_cannot_be_chosen(client, provider, school):
    client.force_login(f.UserFactory(is_superuser=True, is_staff=True))
    response = client.post(
        reverse("wagtailsnippets_identity_claimmapping:add"),
        {"organisation": school.pk, "provider_id": "elsewhere", "organisation_claim": "x", "organisation_value": "1"},
    )
    assert response.status_code == 200 and "provider_id" in response.context["form"].errors
    assert not ClaimMapping.objects.exists()


def test_editors_without_the_permission_cannot_reach_the_mappings(client, provider):
    editor = f.UserFactory(is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    response = client.get(reverse("wagtailsnippets_identity_claimmapping:list"))
    assert response.status_code == 302 and response["Location"] == "/admin/"
