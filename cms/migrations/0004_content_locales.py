from django.conf import settings
from django.db import migrations


def create_content_locales(apps, schema_editor):
    """One Wagtail locale per content language, so translations can be made without a manual step."""
    Locale = apps.get_model("wagtailcore", "Locale")
    for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
        Locale.objects.get_or_create(language_code=code)


class Migration(migrations.Migration):
    dependencies = [("cms", "0003_home_page"), ("wagtailcore", "0098_apitoken")]

    operations = [migrations.RunPython(create_content_locales, migrations.RunPython.noop)]
