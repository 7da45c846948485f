"""Create the "Teachers" and "Editors" authoring groups (admin access, media permissions).

Page permissions and the "Lesson review" workflow attach to the course catalogue, which the
demo loader creates later; see lessons.authoring.
"""

from django.db import migrations


def create_authoring_groups(apps, schema_editor):
    from lessons.authoring.services import ensure_authoring_groups

    ensure_authoring_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("lessons", "0003_export_job"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailadmin", "0006_formstate"),
    ]

    operations = [migrations.RunPython(create_authoring_groups, migrations.RunPython.noop)]
