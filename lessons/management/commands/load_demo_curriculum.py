"""``manage.py load_demo_curriculum``: load or refresh the demo courses (safe to run on every start)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lessons.curriculum.loader import load_demo_curriculum
from lessons.curriculum.reader import CurriculumError


class Command(BaseCommand):
    help = "Create or update the demo catalogue, courses, lessons and translations from lessons/curriculum/demo/."

    def add_arguments(self, parser):
        parser.add_argument(
            "--directory", type=Path, help="Read the curriculum (one folder per language) from this folder instead."
        )

    def handle(self, *args, directory=None, **options):
        def report(result):
            counts = ", ".join(f"{count} {outcome}" for outcome, count in sorted(result.outcomes.items()))
            lessons = sum(result.outcomes.values()) - 1
            language = result.course.locale.language_code
            self.stdout.write(f"  [{language}] {result.course.title}: course and {lessons} lessons ({counts})")
            for warning in result.warnings:
                self.stdout.write(self.style.WARNING(f"    quiz check: {warning}"))

        self.stdout.write("Loading the demo curriculum…")
        try:
            results = load_demo_curriculum(directory, report=report)
        except CurriculumError as error:
            raise CommandError(f"The demo curriculum is invalid, nothing was changed: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"Demo curriculum ready: {len(results)} courses at /courses/."))
