"""Sign-up (confirmed by e-mail, silent about which addresses have accounts), the welcome page, log-in pages."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse

from cms.models import AccountPreferences, SignupRequest
from cms.signup import CONFIRMATION_PERIOD
from tests import factories as f

pytestmark = pytest.mark.django_db

GOOD = {
    "username": "newlearner",
    "first_name": "Nora",
    "last_name": "Learner",
    "email": "nora@example.com",
    "password1": "a-Long-unusual-passphrase-42",
    "password2": "a-Long-unusual-passphrase-42",
    "confirms_age": "on",
}
LINK = re.compile(r"http://testserver(/en/accounts/signup/confirm/[\w-]+/)")


def signup(client, url=None, **changes):
    return client.post(url or reverse("signup"), {**GOOD, **changes})


def confirmation_link(mail):
    return LINK.search(mail.body).group(1)


def test_signup_mails_a_link_that_creates_the_account_and_opens_the_welcome_page(client, mailoutbox):
    response = signup(client)
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/signup/sent/"
    assert not get_user_model().objects.filter(username="newlearner").exists()
    assert "_auth_user_id" not in client.session
    (mail,) = mailoutbox
    assert mail.to == ["nora@example.com"]
    assert "newlearner" in mail.body

    link = confirmation_link(mail)
    page = client.get(link)  # a mail scanner opening the link creates nothing
    assert "Create my account" in page.content.decode()
    assert not get_user_model().objects.filter(username="newlearner").exists()

    response = client.post(link)
    assert response["Location"] == "/en/accounts/welcome/"
    user = get_user_model().objects.get(username="newlearner")
    assert (user.first_name, user.email) == ("Nora", "nora@example.com")
    assert user.check_password(GOOD["password1"])
    assert client.session["_auth_user_id"] == str(user.pk)
    assert AccountPreferences.objects.get(user=user).language == "en"
    assert not SignupRequest.objects.exists()
    assert client.post(link).status_code == 404  # used once


def test_the_welcome_page_offers_a_class_code_or_the_courses(client):
    client.force_login(f.UserFactory(first_name="Nora"))
    html = client.get(reverse("welcome")).content.decode()
    assert "Welcome, Nora!" in html
    assert f'href="{reverse("lessons:org:join")}"' in html
    assert 'href="/en/courses/"' in html
    assert client.get(reverse("lessons:org:join")).status_code == 200
    client.logout()
    assert client.get(reverse("welcome")).status_code == 302  # to the log-in


def normalised(html):
    """The page without what differs on every response anyway (CSRF tokens, the CSP nonce)."""
    return re.sub(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": "|"inlineStyleNonce": ")[^"]*', r"\1", html)


def test_a_new_and_a_registered_address_get_the_same_answer(client, mailoutbox):
    owner = f.UserFactory(username="nora-original", email="nora@example.com")
    answers = []
    for email, username in (("fresh@example.com", "fresh-one"), ("NORA@example.com", "another-nora")):
        client.cookies.clear()
        response = signup(client, email=email, username=username)
        sent_page = client.get(response["Location"])
        assert "Check your inbox" in sent_page.content.decode()
        answers.append(
            (
                response.status_code,
                response["Location"],
                sorted(response.headers.items()),
                sorted(response.cookies),
                normalised(sent_page.content.decode()),
            )
        )
    assert answers[0] == answers[1]

    new, existing = mailoutbox
    assert LINK.search(new.body)
    assert existing.to == ["nora@example.com"]
    assert "already has an account" in existing.body and "nora-original" in existing.body
    assert "/en/accounts/password_reset/" in existing.body and not LINK.search(existing.body)
    assert list(SignupRequest.objects.values_list("email", flat=True)) == ["fresh@example.com"]
    assert list(get_user_model().objects.all()) == [owner]


def test_open_signup_asks_for_the_age_of_digital_consent(client, mailoutbox, settings):
    response = signup(client, confirms_age="")
    assert response.status_code == 400
    html = response.content.decode()
    assert "I am at least 13 years old." in html
    assert "You need to be at least 13 to create an account yourself" in html
    assert "class code" in html and "invitation" in html
    assert not mailoutbox and not SignupRequest.objects.exists()

    settings.DIGITAL_CONSENT_AGE = 16
    assert "I am at least 16 years old." in client.get(reverse("signup")).content.decode()


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
def test_signup_with_bad_input_shows_form_errors(client, mailoutbox, changes, message):
    response = signup(client, **changes)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not mailoutbox and not SignupRequest.objects.exists()


def test_a_taken_username_is_a_form_error(client, mailoutbox):
    f.UserFactory(username="NewLearner")
    response = signup(client)
    assert response.status_code == 400
    assert "A user with that username already exists" in response.content.decode()
    assert not mailoutbox


def test_a_username_taken_before_the_confirmation_is_explained(client, mailoutbox):
    signup(client)
    signup(client, email="other@example.com")  # the same username, pending twice
    first, second = (confirmation_link(mail) for mail in mailoutbox)
    assert client.post(first).status_code == 302
    client.logout()
    response = client.post(second)
    assert response.status_code == 409
    assert "Someone else took the username" in response.content.decode()
    assert get_user_model().objects.count() == 1


def test_an_expired_link_creates_nothing(client, mailoutbox):
    signup(client)
    SignupRequest.objects.update(created_at=SignupRequest.objects.get().created_at - CONFIRMATION_PERIOD)
    response = client.post(confirmation_link(mailoutbox[0]))
    assert response.status_code == 404
    assert "This link has expired" in response.content.decode()
    assert not get_user_model().objects.exists()
    signup(client, username="later", email="later@example.com")
    assert list(SignupRequest.objects.values_list("username", flat=True)) == ["later"]  # the dead one is gone


def test_one_address_gets_at_most_three_sign_up_mails_an_hour(client, mailoutbox):
    answers = {signup(client, username=f"try-{n}")["Location"] for n in range(5)}
    assert answers == {"/en/accounts/signup/sent/"}
    assert len(mailoutbox) == 3


class RefusingMailServer(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("no mail server")


def test_a_refused_mail_is_a_form_error_and_keeps_nothing(client, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingMailServer"
    response = signup(client)
    assert response.status_code == 400
    assert "We could not send you an e-mail just now" in response.content.decode()
    assert not SignupRequest.objects.exists()


def test_signup_keeps_a_next_url_on_this_site_and_ignores_others(client, mailoutbox):
    signup(client, url=reverse("signup") + "?next=https://evil.example/")
    signup(client, url=reverse("signup") + "?next=/en/learn/dashboard/", username="second", email="second@example.com")
    offsite, onsite = (confirmation_link(mail) for mail in mailoutbox)
    assert client.post(offsite)["Location"] == "/en/accounts/welcome/"
    client.logout()
    assert client.post(onsite)["Location"] == "/en/learn/dashboard/"


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
