"""Which account a sign-in opens: linked by subject, by an e-mail the provider verified, or a new one."""

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model

from cms.models import AccountPreferences
from tests import factories as f

pytestmark = pytest.mark.django_db

User = get_user_model()


def signed_in_user(client):
    return User.objects.get(pk=client.session["_auth_user_id"]) if "_auth_user_id" in client.session else None


def test_a_new_subject_gets_a_new_account_without_a_password(client, provider, sign_in):
    provider.set_claims(
        "new-1", email="Mari.Maasikas@school.example", email_verified=True, given_name="Mari", family_name="Maasikas"
    )
    response = sign_in(client, "new-1")
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/welcome/"  # a new account starts where a signed-up one does
    user = signed_in_user(client)
    assert (user.first_name, user.last_name, user.email) == ("Mari", "Maasikas", "mari.maasikas@school.example")
    assert user.username and not user.has_usable_password()
    link = SocialAccount.objects.get(user=user)
    assert (link.provider, link.uid) == ("school", "new-1")
    assert link.extra_data["id_token"]["iss"] == provider.issuer
    assert AccountPreferences.objects.get(user=user).language == "en"


def test_the_same_subject_opens_the_same_account_even_with_a_new_address(client, provider, sign_in):
    provider.set_claims("same-1", email="first@school.example", email_verified=True)
    sign_in(client, "same-1")
    first = signed_in_user(client)
    client.logout()
    provider.set_claims("same-1", email="second@school.example", email_verified=True)
    response = sign_in(client, "same-1")
    assert response["Location"] == "/en/"  # no longer new: the home page, in the language saved on the account
    assert signed_in_user(client) == first
    assert User.objects.filter(socialaccount__uid="same-1").count() == 1


def test_a_verified_address_links_the_existing_account_and_keeps_its_password(client, provider, sign_in):
    existing = f.UserFactory(username="kati", email="kati@school.example")
    provider.set_claims("kati-sub", email="KATI@school.example", email_verified=True)
    sign_in(client, "kati-sub")
    assert signed_in_user(client) == existing
    existing.refresh_from_db()
    assert existing.has_usable_password() and existing.check_password("pw-for-tests")
    assert SocialAccount.objects.get(uid="kati-sub").user == existing


@pytest.mark.parametrize("email_verified", [False, "false", None])
def test_an_unverified_address_links_nothing_and_is_not_kept(client, provider, sign_in, email_verified):
    existing = f.UserFactory(username="victim", email="victim@school.example")
    claims = {"email": "victim@school.example"}
    if email_verified is not None:
        claims["email_verified"] = email_verified
    provider.set_claims("someone-else", **claims)
    sign_in(client, "someone-else")
    user = signed_in_user(client)
    assert user != existing
    assert user.email == ""  # an address anyone may have typed would block its owner from signing up
    assert not SocialAccount.objects.filter(user=existing).exists()


def test_a_staff_account_is_never_linked_by_address(client, provider, sign_in):
    f.UserFactory(username="admin", email="admin@school.example", is_staff=True)
    provider.set_claims("claims-admin", email="admin@school.example", email_verified=True)
    response = sign_in(client, "claims-admin")
    assert response.status_code == 403
    assert "account uses this e-mail address" in response.content.decode()
    assert signed_in_user(client) is None
    assert not SocialAccount.objects.exists()


def test_an_address_several_accounts_share_links_none_of_them(client, provider, sign_in):
    f.UserFactory(username="twin-a", email="twin@school.example")
    f.UserFactory(username="twin-b", email="Twin@school.example")
    provider.set_claims("twin-sub", email="twin@school.example", email_verified=True)
    response = sign_in(client, "twin-sub")
    assert response.status_code == 403
    assert signed_in_user(client) is None


def test_a_switched_off_account_is_not_opened(client, provider, sign_in):
    f.UserFactory(username="gone", email="gone@school.example", is_active=False)
    provider.set_claims("gone-sub", email="gone@school.example", email_verified=True)
    response = sign_in(client, "gone-sub")
    assert response.status_code == 403
    assert "switched off" in response.content.decode()
    assert signed_in_user(client) is None


def test_a_link_made_with_another_issuer_is_not_opened(client, provider, sign_in):
    provider.set_claims("moved-sub", email="moved@school.example", email_verified=True)
    sign_in(client, "moved-sub")
    client.logout()
    link = SocialAccount.objects.get(uid="moved-sub")
    link.extra_data["id_token"]["iss"] = "https://old-issuer.example"  # the provider id pointed elsewhere then
    link.save()
    response = sign_in(client, "moved-sub")
    assert response.status_code == 400
    assert signed_in_user(client) is None


def test_next_is_followed_on_this_site_only(client, provider, sign_in):
    provider.set_claims("next-sub", email="next@school.example", email_verified=True)
    response = sign_in(client, "next-sub", next="/en/learn/dashboard/")
    assert response["Location"] == "/en/learn/dashboard/"
    client.logout()
    response = sign_in(client, "next-sub", next="https://evil.example/")
    assert response["Location"] == "/en/"


def test_the_language_saved_on_the_account_opens_the_site(client, provider, sign_in):
    user = f.UserFactory(username="vene", email="vene@school.example")
    AccountPreferences.objects.create(user=user, language="ru")
    provider.set_claims("vene-sub", email="vene@school.example", email_verified=True)
    response = sign_in(client, "vene-sub", next="/en/learn/dashboard/")
    assert response["Location"] == "/ru/learn/dashboard/"
    assert response.cookies["django_language"].value == "ru"
