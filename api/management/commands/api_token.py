"""Make an API token for an organisation (the site operator's tool); the key is printed once, on the last line."""

from django.core.management.base import BaseCommand, CommandError

from api.models import ApiToken
from api.tokens.services import create_token
from lessons.models import Organisation


class Command(BaseCommand):
    help = "Create a REST API token for an organisation and print it (on the last line). It is not shown again."

    def add_arguments(self, parser):
        parser.add_argument("organisation", help="The organisation's slug.")
        parser.add_argument("--scope", choices=ApiToken.Scope.values, default=ApiToken.Scope.READ)
        parser.add_argument("--name", default="", help="What the token is for, e.g. the system that uses it.")

    def handle(self, *args, organisation, scope, name, **options):
        try:
            target = Organisation.objects.get(slug=organisation)
        except Organisation.DoesNotExist as missing:
            raise CommandError(f"No organisation with the slug {organisation!r}.") from missing
        token, key = create_token(organisation=target, scope=scope, name=name)
        self.stdout.write(
            f"Created a {token.scope} token {token.prefix}… for {target.name}. "
            "Store it now: only its digest is kept. Its organisation's admins can revoke it on the organisation page."
        )
        self.stdout.write(key)
