"""The site operator sets an organisation's monthly tutor budget in the Wagtail admin; teachers cannot."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from lessons.models import Organisation
from tests.factories import with_budget
from tutor.models import OrganisationBudget

pytestmark = pytest.mark.django_db
BUDGETS = "/admin/snippets/tutor/organisationbudget/"


def test_a_superuser_sets_an_organisations_monthly_budget_in_the_admin(client):
    organisation = Organisation.objects.create(name="Budget School", kind="school")
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "pw"))

    response = client.post(
        f"{BUDGETS}add/",
        {
            "organisation": organisation.pk,
            "monthly_question_budget": "250",
            "monthly_token_budget": "",
            "per_learner_monthly_tokens": "20000",
        },
    )

    assert response.status_code == 302
    budget = OrganisationBudget.objects.get(organisation=organisation)
    assert (budget.monthly_question_budget, budget.monthly_token_budget) == (250, None)
    assert budget.per_learner_monthly_tokens == 20000
    assert "Budget School" in client.get(BUDGETS).content.decode()


def test_a_teacher_cannot_open_or_change_budgets_in_the_admin(client):
    organisation = with_budget(Organisation.objects.create(name="Budget School", kind="school"), questions=10)
    teacher = get_user_model().objects.create_user("t", "t@example.com", "pw")
    teacher.groups.add(Group.objects.get(name="Teachers"))
    client.force_login(teacher)

    assert client.get(BUDGETS).status_code in (302, 403)
    response = client.post(
        f"{BUDGETS}edit/{organisation.pk}/",
        {"organisation": organisation.pk, "monthly_question_budget": "99999", "monthly_token_budget": ""},
    )
    assert response.status_code in (302, 403)
    assert OrganisationBudget.objects.get(organisation=organisation).monthly_question_budget == 10
