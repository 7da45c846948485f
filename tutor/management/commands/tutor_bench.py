"""``make bench``: retrieval latency, HNSW recall, indexing throughput and answer timing (tutor.quality.bench)."""

from django.core.management.base import BaseCommand, CommandError

from tutor.quality.bench import print_table, run_in_throwaway_database


def sizes(value):
    try:
        counts = [int(size) for size in value.split(",")]
    except ValueError as error:
        raise CommandError(f"--sizes takes comma-separated chunk counts, not {value!r}.") from error
    if not counts or min(counts) < 1:
        raise CommandError("--sizes takes positive chunk counts.")
    return counts


class Command(BaseCommand):
    help = "Benchmark the tutor in a throwaway database (tutor_bench), never the development data."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="10000,100000", help="Comma-separated chunk counts.")
        parser.add_argument("--queries", type=int, default=100, help="Queries per latency/recall measurement.")

    def handle(self, *args, queries=100, **options):
        if queries < 1:
            raise CommandError("--queries must be at least 1.")
        print_table(run_in_throwaway_database(sizes=sizes(options["sizes"]), queries=queries))
