import django.db.models.deletion
from django.db import migrations, models


def copy_budgets_from_organisations(apps, schema_editor):
    Organisation = apps.get_model("lessons", "Organisation")
    OrganisationBudget = apps.get_model("tutor", "OrganisationBudget")
    budgeted = Organisation.objects.exclude(monthly_question_budget__isnull=True, monthly_token_budget__isnull=True)
    OrganisationBudget.objects.bulk_create(
        OrganisationBudget(
            organisation_id=organisation.pk,
            monthly_question_budget=organisation.monthly_question_budget,
            monthly_token_budget=organisation.monthly_token_budget,
        )
        for organisation in budgeted
    )


def copy_budgets_back(apps, schema_editor):
    Organisation = apps.get_model("lessons", "Organisation")
    OrganisationBudget = apps.get_model("tutor", "OrganisationBudget")
    for budget in OrganisationBudget.objects.all():
        Organisation.objects.filter(pk=budget.organisation_id).update(
            monthly_question_budget=budget.monthly_question_budget,
            monthly_token_budget=budget.monthly_token_budget,
        )


class Migration(migrations.Migration):
    """Budgets move from ``lessons.Organisation`` to the tutor; runs before lessons drops the columns."""

    dependencies = [
        ("lessons", "0004_authoring_groups"),
        ("tutor", "0002_conversationaccess_safetyflag"),
    ]
    run_before = [("lessons", "0005_remove_organisation_budgets")]

    operations = [
        migrations.CreateModel(
            name="OrganisationBudget",
            fields=[
                (
                    "organisation",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="tutor_budget",
                        serialize=False,
                        to="lessons.organisation",
                    ),
                ),
                (
                    "monthly_question_budget",
                    models.PositiveIntegerField(
                        blank=True,
                        help_text="Tutor questions per calendar month for all members; empty = unlimited.",
                        null=True,
                    ),
                ),
                (
                    "monthly_token_budget",
                    models.PositiveIntegerField(
                        blank=True, help_text="Model tokens per calendar month; empty = unlimited.", null=True
                    ),
                ),
            ],
            options={"verbose_name": "tutor budget"},
        ),
        migrations.RunPython(copy_budgets_from_organisations, copy_budgets_back),
    ]
