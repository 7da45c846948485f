"""``make bench``: retrieval latency, HNSW recall, indexing throughput and answer timing (tutor.quality.bench)."""

import logging

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


def hnsw(value):
    try:
        m, ef_construction = (int(part) for part in value.split(":"))
    except ValueError as error:
        raise CommandError(f"--hnsw takes M:EF_CONSTRUCTION, such as 16:64, not {value!r}.") from error
    return m, ef_construction


class Command(BaseCommand):
    help = "Benchmark the tutor in a throwaway database (tutor_bench), never the development data."

    def add_arguments(self, parser):
        parser.add_argument(
            "--sizes", default="10000,100000", help="Comma-separated chunk counts (1000000 takes about an hour)."
        )
        parser.add_argument("--queries", type=int, default=100, help="Questions per latency measurement.")
        parser.add_argument(
            "--hnsw", help="Build the HNSW index with M:EF_CONSTRUCTION instead of the model's parameters."
        )

    def handle(self, *args, queries=100, **options):
        if queries < 1:
            raise CommandError("--queries must be at least 1.")
        logging.disable(logging.INFO)  # loading the curriculum logs every page; the tables are the output
        run_in_throwaway_database(
            sizes=sizes(options["sizes"]),
            queries=queries,
            hnsw=hnsw(options["hnsw"]) if options["hnsw"] else None,
            report=print_table,
        )
