"""Delete tutor conversations past ``TUTOR_CONVERSATION_RETENTION_DAYS`` now.

Celery beat does this daily where a broker runs; without one (tasks run eagerly, nothing is
scheduled), run this command from cron instead.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from tutor.personal_data import delete_expired_conversations


class Command(BaseCommand):
    help = "Delete tutor conversations whose last message is older than TUTOR_CONVERSATION_RETENTION_DAYS."

    def handle(self, *args, **options):
        deleted = delete_expired_conversations()
        days = settings.TUTOR_CONVERSATION_RETENTION_DAYS
        self.stdout.write(f"Deleted {deleted} conversation(s) older than {days} days.")
