"""Failed log-ins lock an account, and separately an address, on all three log-in pages until the cool-off."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.test import RequestFactory

from cms.login_throttling import client_ip
from tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests"  # tests.factories.UserFactory's
LOGIN_PAGES = {
    "site": "/en/accounts/login/",
    "wagtail admin": "/admin/login/",
    "django admin": "/django-admin/login/",
}


@pytest.fixture(params=LOGIN_PAGES.values(), ids=LOGIN_PAGES.keys())
def login_page(request):
    return request.param


def log_in(client, page, username, password, address="192.0.2.1"):
    return client.post(page, {"username": username, "password": password}, REMOTE_ADDR=address)


def is_locked_out(response):
    return response.status_code == 429 and "Log-in paused" in response.content.decode()


def signed_in(client):
    return "_auth_user_id" in client.session


def end_cool_off(settings):
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))


def test_five_failures_lock_the_account_even_for_the_right_password_until_the_cool_off(client, settings, login_page):
    f.UserFactory(username="ada", is_staff=True, is_superuser=True)
    answers = [log_in(client, login_page, "ada", f"wrong-{n}") for n in range(5)]
    assert not any(is_locked_out(answer) for answer in answers[:4])
    assert is_locked_out(answers[4])

    response = log_in(client, login_page, "ada", PASSWORD)
    assert is_locked_out(response)
    assert response["Retry-After"] == "900"
    assert "Please wait 15 minutes" in response.content.decode()
    assert not signed_in(client)

    end_cool_off(settings)
    response = log_in(client, login_page, "ada", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_an_account_stays_locked_from_every_address(client, settings):
    f.UserFactory(username="ada")
    f.UserFactory(username="bob")
    for n in range(5):
        log_in(client, LOGIN_PAGES["site"], "ada", "wrong", address=f"198.51.100.{n}")
    assert is_locked_out(log_in(client, LOGIN_PAGES["site"], "ada", PASSWORD, address="203.0.113.7"))
    # Those addresses are far from their own limit: someone else still logs in from them.
    assert log_in(client, LOGIN_PAGES["site"], "bob", PASSWORD, address="198.51.100.0").status_code == 302


def test_failures_on_many_accounts_from_one_address_lock_that_address_only(client, settings, login_page):
    settings.LOGIN_FAILURE_LIMIT_PER_IP = 12
    f.UserFactory(username="ada", is_staff=True, is_superuser=True)
    # Three failures on each of four accounts: every account stays below its limit of five.
    answers = [log_in(client, login_page, f"someone-{n % 4}", "wrong", address="192.0.2.50") for n in range(12)]
    assert not any(is_locked_out(answer) for answer in answers[:11])  # the address has its own, higher limit
    assert is_locked_out(answers[11])
    assert is_locked_out(log_in(client, login_page, "ada", PASSWORD, address="192.0.2.50"))
    assert log_in(client, login_page, "ada", PASSWORD, address="192.0.2.51").status_code == 302


def test_the_client_address_comes_from_the_proxy_only_behind_one(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    settings.BEHIND_PROXY = False
    assert client_ip(request) == "10.0.0.2"  # a client can send any X-Forwarded-For
    settings.BEHIND_PROXY = True
    assert client_ip(request) == "203.0.113.9"  # the entry our proxy appended
