from django.core.management.base import BaseCommand, CommandError

from cms.demo_accounts import DEMO_ACCOUNTS, ensure_demo_accounts


class Command(BaseCommand):
    help = "Create (or reset) one demo account per role and print their log-ins. Development only."

    def handle(self, *args, **options):
        try:
            ensure_demo_accounts()
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS("Demo accounts (development only):"))
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.username:<8} / {account.password:<20} {account.role}")
