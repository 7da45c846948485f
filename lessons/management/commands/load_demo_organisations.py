from django.core.management.base import BaseCommand

from lessons.organisations.demo import seed_demo_organisations


class Command(BaseCommand):
    help = "Create (or top up) the demo school and business; run after create_demo_accounts and the curriculum."

    def handle(self, *args, **options):
        self.stdout.write(self.style.SUCCESS("Demo school and business:"))
        seed_demo_organisations(report=self.stdout.write)
