"""Ask the retriever a question from the shell and see what it would hand the tutor."""

import json

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError

from tutor.retrieval import MODES, retrieve


class Command(BaseCommand):
    help = "Print the chunks the tutor retrieves for a question, as a given user would get them."

    def add_arguments(self, parser):
        parser.add_argument("question")
        parser.add_argument("--user", help="Username to search as (default: an anonymous visitor).")
        parser.add_argument("--limit", type=int, default=6)
        parser.add_argument("--mode", choices=MODES, default="hybrid")
        parser.add_argument(
            "--locale",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="Search as a learner using this language (default: LANGUAGE_CODE).",
        )
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print a JSON list, not a table.")

    def handle(self, *args, question, user=None, limit=6, mode="hybrid", locale=None, as_json=False, **options):
        if limit < 1:
            raise CommandError("--limit must be at least 1.")
        asking = AnonymousUser()
        if user:
            asking = get_user_model().objects.filter(username=user).first()
            if asking is None:
                raise CommandError(f"No user named {user!r}.")
        results = retrieve(question, user=asking, limit=limit, mode=mode, language=locale or settings.LANGUAGE_CODE)
        if as_json:
            self.stdout.write(dumps(results))
            return
        if not results:
            self.stdout.write("No matching course text.")
        for rank, chunk in enumerate(results, start=1):
            section = f" › {chunk.section}" if chunk.section else ""
            self.stdout.write(f"{rank}. [{chunk.score:.4f}] ({chunk.language}) {chunk.title}{section}  {chunk.url}")
            if chunk.visibility != "learners":
                self.stdout.write(f"   ({chunk.visibility} only)")
            self.stdout.write(f"   {chunk.text[:240]}")


def dumps(results):
    fields = ("url", "title", "section", "text", "score", "similarity", "visibility", "language", "page_id", "chunk_id")
    return json.dumps([{name: getattr(chunk, name) for name in fields} for chunk in results], indent=2)
