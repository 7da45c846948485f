from django.db import migrations


class Migration(migrations.Migration):
    """The tutor's budgets now live in ``tutor.OrganisationBudget`` (its migration copies them first)."""

    dependencies = [("lessons", "0004_authoring_groups")]

    operations = [
        migrations.RemoveField(model_name="organisation", name="monthly_question_budget"),
        migrations.RemoveField(model_name="organisation", name="monthly_token_budget"),
    ]
