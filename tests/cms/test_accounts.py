import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db

GOOD = {
    "username": "newlearner",
    "first_name": "Nora",
    "last_name": "Learner",
    "email": "nora@example.com",
    "password1": "a-Long-unusual-passphrase-42",
    "password2": "a-Long-unusual-passphrase-42",
}


def signup(client, **changes):
    return client.post(reverse("signup"), {**GOOD, **changes})


def test_signup_creates_the_account_and_logs_in(client):
    response = signup(client)
    assert response.status_code == 302
    user = get_user_model().objects.get(username="newlearner")
    assert user.first_name == "Nora"
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"password2": "something-else-entirely-9"}, "The two password fields"),
        ({"password1": "123", "password2": "123"}, "too short"),
        ({"password1": "password", "password2": "password"}, "too common"),
        ({"email": "not-an-email"}, "Enter a valid email address"),
        ({"username": ""}, "This field is required"),
    ],
)
def test_signup_with_bad_input_shows_form_errors(client, changes, message):
    response = signup(client, **changes)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not get_user_model().objects.filter(username=changes.get("username", "newlearner") or "x").exists()


def test_signup_with_a_taken_username_or_email_is_refused(client):
    get_user_model().objects.create_user("newlearner", "nora@example.com", "x")
    response = signup(client)
    assert response.status_code == 400
    assert "A user with that username already exists" in response.content.decode()
    response = signup(client, username="someoneelse")
    assert "An account with this e-mail already exists" in response.content.decode()
    assert get_user_model().objects.count() == 1


def test_signup_ignores_an_offsite_next_url(client):
    response = client.post(reverse("signup") + "?next=https://evil.example/", GOOD)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_password_reset_sends_a_link_to_a_known_address(client, mailoutbox):
    get_user_model().objects.create_user("reset", "reset@example.com", "old-password-123")
    response = client.post(reverse("password_reset"), {"email": "reset@example.com"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/en/accounts/reset/" in mailoutbox[0].body


def test_home_page_renders_with_navigation(client):
    response = client.get("/en/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Understand AI. Use it well." in html
    assert 'href="/en/courses/"' in html
    assert "Skip to content" in html
