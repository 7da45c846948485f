"""Site administrators manage organisations in the Wagtail admin; teachers cannot."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from lessons.models import Organisation

pytestmark = pytest.mark.django_db


def test_a_superuser_creates_and_renames_an_organisation_in_the_admin(client):
    organisation = Organisation.objects.create(name="Budget School", kind="school")
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "pw"))

    listing = client.get("/admin/snippets/lessons/organisation/")
    assert listing.status_code == 200
    assert "Budget School" in listing.content.decode()

    response = client.post(
        f"/admin/snippets/lessons/organisation/edit/{organisation.pk}/",
        {"name": "Tamme School", "slug": "budget-school", "kind": "school"},
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name == "Tamme School"


def test_a_teacher_cannot_open_or_change_organisations_in_the_admin(client):
    organisation = Organisation.objects.create(name="Budget School", kind="school")
    teacher = get_user_model().objects.create_user("t", "t@example.com", "pw")
    teacher.groups.add(Group.objects.get(name="Teachers"))
    client.force_login(teacher)

    assert client.get("/admin/snippets/lessons/organisation/").status_code in (302, 403)
    response = client.post(
        f"/admin/snippets/lessons/organisation/edit/{organisation.pk}/",
        {"name": "Hijacked", "slug": "budget-school", "kind": "school"},
    )
    assert response.status_code in (302, 403)
    organisation.refresh_from_db()
    assert organisation.name == "Budget School"
