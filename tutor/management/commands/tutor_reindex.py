"""Bring the tutor's index in line with the published lessons, with a progress bar and a summary."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from tutor.indexing.embeddings import get_provider
from tutor.indexing.reconcile import reconcile


class Command(BaseCommand):
    help = (
        "Index every live lesson and course page whose chunks are missing, stale or from another "
        "embedding model, and remove chunks of pages that are no longer live or visible."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Start from an empty index and re-embed everything (needed after changing "
            "TUTOR_EMBEDDING_DIMENSIONS; resizes the vector column and its HNSW index).",
        )

    def handle(self, *args, rebuild=False, verbosity=1, **options):
        provider = get_provider()
        self.stdout.write(f"Embedding model: {provider.model_name} ({provider.dimensions} dimensions)")

        def progress(pages):
            return tqdm(pages, desc="Indexing pages", unit="page", disable=verbosity < 1, file=self.stderr._out)

        summary = reconcile(rebuild=rebuild, provider=provider, progress=progress)
        self.stdout.write(
            f"{summary.pages} pages checked, {summary.changed_pages} changed; "
            f"{summary.embedded} chunks embedded, {summary.reused} reused, {summary.deleted} deleted; "
            f"{summary.removed_pages} pages removed from the index."
        )
        for page_id, title, error in summary.failures:
            self.stderr.write(f"Page {page_id} ({title}) failed: {error}")
        if summary.failures:
            raise CommandError(f"{len(summary.failures)} pages could not be indexed; run the command again.")
        self.stdout.write(self.style.SUCCESS("Tutor index is up to date."))
