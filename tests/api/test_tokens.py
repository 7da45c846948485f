"""API tokens: made by the operator's command, hashed at rest, listed and revoked on the organisation page by its
admins only, and their last use noted."""

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from api.tokens.services import create_token
from lessons.models import Membership
from tests.factories import GroupFactory, member, org_admin

pytestmark = pytest.mark.django_db


def test_the_command_prints_the_key_once_and_keeps_only_its_digest(school, api):
    out = StringIO()
    call_command("api_token", school.slug, "--scope", "write", "--name", "Student information system", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]

    token = ApiToken.objects.get()
    assert token.organisation == school and token.scope == "write" and token.name == "Student information system"
    assert key.startswith("ailp_") and len(key) > 40
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(token.prefix) and len(token.prefix) < 16
    assert not any(key in str(value) for value in ApiToken.objects.values_list().get())  # nowhere in the row
    response = api("get", "/organisation", key)
    assert response.status_code == 200
    assert response.json() == {"name": school.name, "slug": school.slug, "kind": "school", "token_scope": "write"}


def test_the_command_makes_read_tokens_by_default_and_refuses_an_unknown_organisation(school):
    call_command("api_token", school.slug, stdout=StringIO())
    assert ApiToken.objects.get().scope == "read"
    with pytest.raises(CommandError, match="No organisation"):
        call_command("api_token", "no-such-school", stdout=StringIO())


def test_last_use_is_noted_at_most_once_a_minute(school, read_key, api):
    token = ApiToken.objects.get()
    assert token.last_used_at is None
    api("get", "/groups", read_key)
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    api("get", "/groups", read_key)
    assert ApiToken.objects.get().last_used_at == first
    ApiToken.objects.update(last_used_at=timezone.now() - timedelta(minutes=2))
    api("get", "/groups", read_key)
    assert ApiToken.objects.get().last_used_at > first


def organisation_page(school):
    return reverse("lessons:org:organisation", args=[school.slug])


def test_the_organisation_page_lists_tokens_and_revokes_one_with_a_csrf_protected_post(school, read_key, api):
    from django.test import Client

    admin = org_admin(school)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin)
    token = ApiToken.objects.get()
    page = browser.get(organisation_page(school))
    html = page.content.decode()
    assert f"{token.prefix}…" in html and "SIS (read)" in html and read_key not in html
    revoke_url = reverse("api:revoke-token", args=[token.pk])
    assert f'action="{revoke_url}"' in html

    assert browser.post(revoke_url).status_code == 403  # no CSRF token: refused
    csrf = page.cookies["csrftoken"].value
    response = browser.post(revoke_url, {"csrfmiddlewaretoken": csrf, "language": "et"})
    assert response.status_code == 302 and response["Location"] == f"/et/learn/org/organisations/{school.slug}/"
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == admin
    assert api("get", "/groups", read_key).status_code == 401
    assert revoke_url not in browser.get(organisation_page(school)).content.decode()  # "Revoked <date>" instead


@pytest.mark.parametrize("who", ["learner", "teacher", "admin_elsewhere", "outsider"])
def test_only_the_tokens_organisation_admins_may_revoke_it(client, school, other_school, read_key, who):
    group = GroupFactory(organisation=school)
    people = {
        "learner": lambda: member(group),
        "teacher": lambda: member(group, Membership.Role.TEACHER),
        "admin_elsewhere": lambda: org_admin(other_school),
        "outsider": lambda: member(GroupFactory()),
    }
    client.force_login(people[who]())
    token = ApiToken.objects.get()
    assert client.post(reverse("api:revoke-token", args=[token.pk])).status_code == 404
    assert client.post(reverse("api:revoke-token", args=[token.pk + 1000])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_needs_a_signed_in_post(client, school, read_key):
    token = ApiToken.objects.get()
    url = reverse("api:revoke-token", args=[token.pk])
    response = client.post(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(org_admin(school))
    assert client.get(url).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_another_organisations_page_does_not_show_its_tokens_to_a_stranger(client, school, other_school):
    create_token(organisation=other_school, name="Tartu SIS")
    client.force_login(org_admin(school))
    html = client.get(organisation_page(school)).content.decode()
    assert "Tartu SIS" not in html and "Your organisation has no API tokens." in html
