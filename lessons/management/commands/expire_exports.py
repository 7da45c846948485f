"""Delete the CSV of training-record exports past ``EXPORT_RETENTION_DAYS`` now.

Celery beat does this hourly where a broker runs; without one (tasks run eagerly, nothing is
scheduled), run this command from cron instead. Downloads are refused on time either way.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from lessons.organisations.exports import expire_exports


class Command(BaseCommand):
    help = "Delete the CSV of exports finished more than EXPORT_RETENTION_DAYS ago and mark them expired."

    def handle(self, *args, **options):
        expired = expire_exports()
        self.stdout.write(f"Expired {expired} export(s) older than {settings.EXPORT_RETENTION_DAYS} days.")
