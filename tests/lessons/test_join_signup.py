"""A learner without an account, such as one younger than the age of digital consent, joins with a class code.

Open sign-up asks everyone to confirm the age of consent; the class code is the other way in, so
its sign-up does not ask it, still confirms the e-mail address, and ends in the class.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from lessons.models import Membership
from tests.factories import GroupFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/en/accounts/signup/confirm/[\w-]+/)")
YOUNG = {
    "username": "young-learner",
    "first_name": "Mia",
    "last_name": "Kask",
    "email": "mia.parent@example.com",
    "password1": "a-Long-unusual-passphrase-42",
    "password2": "a-Long-unusual-passphrase-42",
}


def test_a_valid_code_without_an_account_leads_to_a_sign_up_without_the_age_question(client):
    group = GroupFactory(name="5A")
    page = client.get(reverse("lessons:org:join"))
    assert page.status_code == 200 and "No account yet?" in page.content.decode()

    offer = client.post(reverse("lessons:org:join"), {"code": group.join_code})
    html = offer.content.decode()
    assert offer.status_code == 200 and "5A" in html
    assert 'name="confirms_age"' not in html and f'value="{group.join_code}"' in html


def test_the_class_code_sign_up_confirms_the_address_then_joins_the_class(client, mailoutbox):
    group = GroupFactory(name="5A")
    sent = client.post(reverse("lessons:org:join_signup"), {**YOUNG, "code": group.join_code})
    assert sent.status_code == 302 and sent["Location"] == reverse("signup_sent")
    assert not get_user_model().objects.filter(username="young-learner").exists()

    (mail,) = mailoutbox
    created = client.post(LINK.search(mail.body).group(1))
    assert created["Location"] == f"{reverse('lessons:org:join')}?code={group.join_code}"
    join_page = client.get(created["Location"]).content.decode()
    assert f'value="{group.join_code}"' in join_page

    client.post(reverse("lessons:org:join"), {"code": group.join_code})
    learner = get_user_model().objects.get(username="young-learner")
    assert Membership.objects.filter(user=learner, group=group, role=Membership.Role.LEARNER).exists()


def test_a_wrong_or_disabled_code_creates_nothing_and_wrong_guesses_are_limited_per_address(client, mailoutbox):
    group = GroupFactory(join_code_enabled=False)
    refused = client.post(reverse("lessons:org:join_signup"), {**YOUNG, "code": group.join_code})
    assert refused.status_code == 400 and not mailoutbox
    assert client.post(reverse("lessons:org:join"), {"code": "NOTACODE"}).status_code == 400
    for _guess in range(10):
        client.post(reverse("lessons:org:join"), {"code": "NOTACODE"})
    assert client.post(reverse("lessons:org:join"), {"code": "NOTACODE"}).status_code == 429
