"""Measure retrieval quality on the eval questions, for hybrid, vector-only and keyword-only search."""

from django.core.management.base import BaseCommand, CommandError

from tutor.quality.evaluation import evaluate, load_questions


class Command(BaseCommand):
    help = "Recall@k and MRR of the tutor's retrieval on JSON-lines eval files (or directories of them)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Eval .jsonl files or directories holding them.")
        parser.add_argument("--k", type=int, default=5, help="How many chunks count (default 5).")

    def handle(self, *args, paths, k=5, **options):
        if k < 1:
            raise CommandError("--k must be at least 1.")
        try:
            questions = load_questions(paths)
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        if not questions:
            raise CommandError("No questions found.")
        scores = evaluate(questions, k=k)
        self.stdout.write(f"{len(questions)} questions, k={k}\n")
        self.stdout.write(f"| mode | recall@{k} | MRR |")
        self.stdout.write("|---|---|---|")
        for score in scores:
            self.stdout.write(f"| {score.mode} | {score.recall:.3f} | {score.mrr:.3f} |")
