"""The demo accounts (known passwords) exist only in development: the command refuses without DEBUG."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from cms.demo_accounts import DEMO_ACCOUNTS

pytestmark = pytest.mark.django_db


def test_the_command_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only created with DEBUG on"):
        call_command("create_demo_accounts", stdout=io.StringIO())
    assert not get_user_model().objects.exists()


def test_with_debug_it_creates_one_account_per_role(settings):
    settings.DEBUG = True
    call_command("create_demo_accounts", stdout=io.StringIO())
    for account in DEMO_ACCOUNTS:
        user = get_user_model().objects.get(username=account.username)
        assert user.check_password(account.password)
    assert get_user_model().objects.get(username="admin").is_superuser
