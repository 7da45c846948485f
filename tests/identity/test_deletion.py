"""Deleting an account that has no password: sign in again at the provider, as yourself, then delete."""

import time

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.urls import reverse

from identity.deletion.services import FRESH_FOR_SECONDS, SESSION_KEY
from tests import factories as f
from tests.identity.provider import query_of

pytestmark = pytest.mark.django_db

User = get_user_model()
DELETE_PAGE = "/en/account/delete/"


@pytest.fixture
def provider_user(client, provider, sign_in):
    """Someone who signed up by signing in with the provider (no password), signed in now."""
    provider.set_claims("leaver", email="leaver@school.example", email_verified=True)
    sign_in(client, "leaver")
    return User.objects.get(socialaccount__uid="leaver")


def confirm(client, provider, start_sign_in, sub):
    """Press "Confirm with School ID" on the deletion page and sign in at the provider as ``sub``."""
    url = start_sign_in(client, purpose="reauthenticate", next=DELETE_PAGE)
    return client.get(provider.authorize(url, sub))


def test_the_deletion_page_asks_the_provider_instead_of_a_password(client, provider_user):
    page = client.get(DELETE_PAGE).content.decode()
    assert 'name="password"' not in page
    assert "Confirm with School ID" in page and 'value="reauthenticate"' in page


def test_confirming_asks_the_provider_to_authenticate_again(client, provider, provider_user, start_sign_in):
    sent = query_of(start_sign_in(client, purpose="reauthenticate", next=DELETE_PAGE))
    assert (sent["prompt"], sent["max_age"]) == ("login", "0")


def test_after_confirming_as_yourself_the_account_can_be_deleted(client, provider, provider_user, start_sign_in):
    response = confirm(client, provider, start_sign_in, "leaver")
    assert response["Location"] == DELETE_PAGE
    assert "You have confirmed who you are" in client.get(DELETE_PAGE).content.decode()
    response = client.post(reverse("identity:delete_account"))
    assert response.status_code == 200  # the page that goes on to log out at the provider too
    assert not User.objects.filter(pk=provider_user.pk).exists()
    assert not SocialAccount.objects.filter(uid="leaver").exists()
    assert "_auth_user_id" not in client.session


def test_without_confirming_nothing_is_deleted(client, provider_user):
    response = client.post(reverse("identity:delete_account"))
    assert response["Location"] == "/en/account/delete/"
    assert User.objects.filter(pk=provider_user.pk).exists()


def test_confirming_as_someone_else_confirms_nothing(client, provider, provider_user, start_sign_in):
    provider.set_claims("bystander", email="bystander@school.example", email_verified=True)
    response = confirm(client, provider, start_sign_in, "bystander")
    assert response.status_code == 403
    assert client.session["_auth_user_id"] == str(provider_user.pk)  # still the same person, nobody else signed in
    client.post(reverse("identity:delete_account"))
    assert User.objects.filter(pk=provider_user.pk).exists()
    assert not User.objects.filter(socialaccount__uid="bystander").exists()  # and no account made for them


def test_a_confirmation_lasts_only_a_few_minutes(client, provider, provider_user, start_sign_in):
    confirm(client, provider, start_sign_in, "leaver")
    session = client.session
    session[SESSION_KEY]["at"] = time.time() - FRESH_FOR_SECONDS - 1
    session.save()
    client.post(reverse("identity:delete_account"))
    assert User.objects.filter(pk=provider_user.pk).exists()


def test_an_account_with_a_password_is_deleted_with_the_password_only(client, provider):
    user = f.UserFactory()
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = {"user": user.pk, "at": time.time()}
    session.save()
    client.post(reverse("identity:delete_account"))
    assert User.objects.filter(pk=user.pk).exists()
    assert 'name="password"' in client.get(DELETE_PAGE).content.decode()


def test_confirming_needs_someone_signed_in(client, provider, start_sign_in):
    provider.set_claims("anonymous-sub", email="anon@school.example", email_verified=True)
    response = confirm(client, provider, start_sign_in, "anonymous-sub")
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_deleting_is_for_signed_in_people_with_a_post(client):
    assert client.post(reverse("identity:delete_account"))["Location"].startswith("/en/accounts/login/")
    client.force_login(f.UserFactory())
    assert client.get(reverse("identity:delete_account")).status_code == 405
