"""Measure retrieval quality on the eval questions, for hybrid, vector-only and keyword-only search."""

from django.core.management.base import BaseCommand, CommandError

from tutor.quality.evaluation import evaluate, load_questions


class Command(BaseCommand):
    help = "Recall@k and MRR of the tutor's retrieval on JSON-lines eval files (or directories of them)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Eval .jsonl files or directories holding them.")
        parser.add_argument("--k", type=int, default=5, help="How many chunks count (default 5).")
        parser.add_argument(
            "--in-course",
            action="store_true",
            help="Ask each question from the course of its expected section, as a learner on its pages.",
        )

    def handle(self, *args, paths, k=5, in_course=False, **options):
        if k < 1:
            raise CommandError("--k must be at least 1.")
        try:
            questions = load_questions(paths)
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        if not questions:
            raise CommandError("No questions found.")
        scores = evaluate(questions, k=k, in_course=in_course)
        scope = ", asked in their course" if in_course else ""
        self.stdout.write(f"{len(questions)} questions, k={k}{scope}\n")
        self.stdout.write(f"| mode | recall@{k} | MRR |")
        self.stdout.write("|---|---|---|")
        for score in scores:
            self.stdout.write(f"| {score.mode} | {score.recall:.3f} | {score.mrr:.3f} |")
