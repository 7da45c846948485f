# Groups, memberships and assignments say when they last changed, for API clients syncing by "changed since".

import django.utils.timezone
from django.db import migrations, models
from django.db.models import F


def start_from_creation(apps, schema_editor):
    """Existing rows last changed when they were made, as far as anyone can tell."""
    for model, created in (("Group", "created_at"), ("Membership", "joined_at"), ("Assignment", "assigned_at")):
        apps.get_model("lessons", model).objects.update(updated_at=F(created))


class Migration(migrations.Migration):

    dependencies = [
        ("lessons", "0010_invitation_revocation_export_expiry"),
    ]

    operations = [
        migrations.AddField(
            model_name="group",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, db_index=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="membership",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, db_index=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="assignment",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, db_index=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
        migrations.RunPython(start_from_creation, migrations.RunPython.noop),
    ]
