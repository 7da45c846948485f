"""Course-like chunks at any scale for the benchmarks, with real embeddings cached under ``var/bench/``.

Random vectors say nothing about how the HNSW index does on course text (real embeddings cluster
by topic and language), and embedding 100,000 passages with the local model would take a day of
CPU. So the demo curriculum (three languages) is loaded into the benchmark database and chunked
as the indexer would, and every distinct sentence and heading path is embedded once with the
real model (about 2,700 short texts: a few minutes on two shared cores, then read from
``var/bench/<model>.npz``). The first chunks are the curriculum's own; each further one joins a
run of sentences of one real chunk to a run from another chunk in the same language (a
course-like variant), under the first chunk's heading path, locale and visibility, on one of
the copies of its course (``CHUNKS_PER_COURSE``: a platform of 100k chunks has many courses, and
the in-course query's filter must be as selective as there).
Its vector is the length-weighted mean of the real vectors of its heading path and sentences plus
a little noise (so no two chunks share a vector): for the curriculum's real chunks that mean is
close to the chunk's own embedding (README, "Tutor benchmarks").
"""

import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from django.conf import settings

CACHE_DIR = Path(settings.BASE_DIR) / "var" / "bench"
NOISE = 0.005  # per dimension: the noisy vector keeps a cosine of about 0.995 with the mean
BATCH = 10_000  # chunks generated and copied at a time
CHUNKS_PER_COURSE = 1_000  # a large course; generated chunks are spread over copies of the courses


@dataclass(frozen=True)
class Source:
    """A real chunk of the curriculum; ``heading`` and ``sentences`` index ``Corpus.texts``."""

    page_id: int
    course_id: int
    locale_id: int
    config: str
    anchor: str
    section_title: str
    heading_path: str
    visibility: str
    heading: int
    sentences: tuple


class VectorCache:
    """Real embeddings by (kind, text) in one file per model; only texts not yet in it are embedded."""

    def __init__(self, provider, directory=CACHE_DIR):
        self.provider = provider
        self.path = Path(directory) / f"{''.join(c if c.isalnum() else '-' for c in provider.model_name)}.npz"
        self.vectors = {}
        if self.path.exists():
            stored = np.load(self.path)
            self.vectors = dict(zip(zip(stored["kinds"], stored["texts"], strict=True), stored["vectors"], strict=True))

    def get(self, texts, *, kind):
        """One row per text; ``kind`` is "passage" (course text) or "query" (a learner's question)."""
        missing = [text for text in dict.fromkeys(texts) if (kind, text) not in self.vectors]
        if missing:
            self._embed(sorted(missing, key=len), kind)
        return np.array([self.vectors[kind, text] for text in texts], dtype=np.float32)

    def _embed(self, texts, kind, batch=32):
        started = time.perf_counter()
        for start in range(0, len(texts), batch):
            part = texts[start : start + batch]
            if kind == "query":
                vectors = [self.provider.embed_query(text) for text in part]
            else:
                vectors = self.provider.embed(part)
            self.vectors.update(((kind, text), vector) for text, vector in zip(part, vectors, strict=True))
            done = min(start + batch, len(texts))
            elapsed = time.perf_counter() - started
            print(
                f"\rembedding {kind} texts for the benchmark: {done}/{len(texts)} ({elapsed:.0f} s)",
                end="",
                file=sys.stderr,
            )
        print(file=sys.stderr)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        kinds, keys = zip(*self.vectors, strict=True)
        np.savez(self.path, kinds=np.array(kinds), texts=np.array(keys), vectors=np.array(list(self.vectors.values())))


def load_curriculum():
    """The demo curriculum's pages, loaded without indexing them (the benchmark loads chunks itself)."""
    from wagtail.signals import page_published

    from lessons.curriculum.loader import load_demo_curriculum
    from tutor.indexing import signal_handlers

    page_published.disconnect(dispatch_uid="tutor_index_on_publish")
    try:
        load_demo_curriculum()
    finally:
        signal_handlers.connect()


class Corpus:
    """The curriculum's chunks as sentences with real vectors, and generated chunks made from them."""

    def __init__(self, sources, texts, vectors):
        self.copies = {}  # course id → ids of its copies (course pages that hold generated chunks)
        self.sources = sources
        self.texts = texts
        self.vectors = vectors
        self.weights = np.array([len(text) for text in texts], dtype=np.float32)
        self.by_config = {}
        for number, source in enumerate(sources):
            self.by_config.setdefault(source.config, []).append(number)

    @classmethod
    def from_curriculum(cls, cache):
        """Chunk every indexable page as the indexer does and fetch (or embed) its sentences' vectors."""
        from tutor.indexing.chunking import _SENTENCE_END, chunk_page
        from tutor.indexing.indexer import indexable_pages
        from tutor.indexing.text_search import config_for

        texts, numbers, sources = [], {}, []

        def number(text):
            if text not in numbers:
                numbers[text] = len(texts)
                texts.append(text)
            return numbers[text]

        for page in indexable_pages():
            course_id = page.get_parent().pk if page.specific_class._meta.model_name == "lessonpage" else page.pk
            for draft in chunk_page(page):
                sentences = tuple(number(s.strip()) for s in _SENTENCE_END.split(draft.text) if s.strip())
                sources.append(
                    Source(
                        page_id=page.pk,
                        course_id=course_id,
                        locale_id=page.locale_id,
                        config=config_for(page.locale.language_code),
                        anchor=draft.anchor[:100],
                        section_title=draft.section_title,
                        heading_path=draft.heading_path,
                        visibility=draft.visibility,
                        heading=number(draft.heading_path),
                        sentences=sentences,
                    )
                )
        return cls(sources, texts, cache.get(texts, kind="passage"))

    def copy_courses(self, size):
        """Make sure there are enough course copies for ``size`` chunks (live course pages, no lessons)."""
        from lessons.models import CoursePage

        courses = CoursePage.objects.filter(pk__in={source.course_id for source in self.sources}).order_by("pk")
        wanted = max(1, (size - len(self.sources)) // CHUNKS_PER_COURSE // len(courses))
        for course in courses:
            copies = self.copies.setdefault(course.pk, [])
            while len(copies) < wanted:
                copy = CoursePage(title=f"{course.title} {len(copies) + 1}", slug=f"{course.slug}-{len(copies) + 1}")
                copies.append(course.get_parent().add_child(instance=copy).pk)

    def batches(self, size, *, seed=0):
        """(chunks, vectors) in batches: chunk ``n`` is the curriculum's ``n``-th while they last, then variants.

        A chunk is (n, source, text, page and course id).
        """
        rng = np.random.default_rng(seed)
        for start in range(0, size, BATCH):
            chunks, members = [], []
            for n in range(start, min(size, start + BATCH)):
                source = self.sources[n % len(self.sources)]
                if n < len(self.sources):
                    sentences, page_id, course_id = source.sentences, source.page_id, source.course_id
                else:
                    sentences = self._variant(source, rng)
                    copies = self.copies[source.course_id]
                    page_id = course_id = copies[int(rng.integers(len(copies)))]
                chunks.append((n, source, " ".join(self.texts[s] for s in sentences), page_id, course_id))
                members.append((source.heading, *sentences))
            yield chunks, self._mean_vectors(members, rng)

    def _variant(self, source, rng):
        other = self.sources[rng.choice(self.by_config[source.config])]
        return self._run(source.sentences, rng) + self._run(other.sentences, rng)

    @staticmethod
    def _run(sentences, rng):
        length = int(rng.integers(1, len(sentences) + 1)) if sentences else 0
        start = int(rng.integers(0, len(sentences) - length + 1)) if sentences else 0
        return sentences[start : start + length]

    def _mean_vectors(self, members, rng):
        flat = np.fromiter((text for texts in members for text in texts), dtype=np.int64)
        starts = np.cumsum([0] + [len(texts) for texts in members[:-1]])
        sums = np.add.reduceat(self.vectors[flat] * self.weights[flat, None], starts, axis=0)
        sums /= np.linalg.norm(sums, axis=1, keepdims=True)
        sums += rng.normal(0, NOISE, sums.shape).astype(np.float32)
        return sums / np.linalg.norm(sums, axis=1, keepdims=True)


@dataclass
class Loaded:
    """What a load put in the table, row ``n`` at ``ids[n]``, for exact search in NumPy."""

    ids: np.ndarray
    vectors: np.ndarray
    course_ids: np.ndarray
    learners: np.ndarray  # bool: visible to learners
    seconds: dict


def load_chunks(corpus, size, model_name, *, hnsw=None):
    """Replace all chunks with ``size`` generated ones: COPY, tsvectors, then build the indexes.

    The model's own index definitions are dropped before the load and built after it (faster
    than keeping them up to date row by row); ``hnsw`` = (m, ef_construction) builds the HNSW
    index with other parameters instead, to compare them.
    """
    from django.db import connection
    from pgvector.psycopg import register_vector

    from tutor.models import Chunk

    table = Chunk._meta.db_table
    gin, hnsw_index = _indexes(hnsw)
    seconds = {}
    vectors, course_ids, learners = [], [], []
    started = time.perf_counter()
    connection.ensure_connection()
    raw = connection.connection
    register_vector(raw)
    corpus.copy_courses(size)
    with connection.schema_editor() as editor:
        for index in (gin, hnsw_index):
            editor.execute(f"DROP INDEX IF EXISTS {index.name}")
    with raw.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table} RESTART IDENTITY")
        cursor.execute(
            "CREATE TEMP TABLE bench_chunk (n int, page_id int, course_id int, locale_id int, anchor text, "
            "section_title text, heading_path text, text text, visibility text, config text, embedding vector)"
        )
        with cursor.copy("COPY bench_chunk FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(["int4"] * 4 + ["text"] * 6 + ["vector"])
            for chunks, batch_vectors in corpus.batches(size):
                for (n, source, text, page_id, course_id), vector in zip(chunks, batch_vectors, strict=True):
                    copy.write_row(
                        (n, page_id, course_id, source.locale_id, source.anchor, source.section_title)
                        + (source.heading_path, text, source.visibility, source.config, vector)
                    )
                    course_ids.append(course_id)
                    learners.append(source.visibility == "learners")
                vectors.append(batch_vectors)
        cursor.execute(
            f"INSERT INTO {table} (page_id, course_id, locale_id, position, anchor, section_title, heading_path, "  # noqa: S608
            "text, token_count, visibility, content_hash, embedding_model, embedding, search_vector, indexed_at) "
            "SELECT page_id, course_id, locale_id, n, anchor, section_title, heading_path, text, 0, visibility, "
            "'bench-' || n, %s, embedding, setweight(to_tsvector(config::regconfig, heading_path), 'A') "
            "|| setweight(to_tsvector(config::regconfig, text), 'B'), %s FROM bench_chunk ORDER BY n",
            [model_name, datetime.now(UTC)],
        )
        cursor.execute("DROP TABLE bench_chunk")
        seconds["copy + tsvectors"] = time.perf_counter() - started
        cursor.execute("SET maintenance_work_mem = '4GB'")  # an HNSW build slows down badly once it spills
        for index in (gin, hnsw_index):
            started = time.perf_counter()
            cursor.execute(_create_sql(index))
            seconds[f"{index.name} build"] = time.perf_counter() - started
        cursor.execute(f"ANALYZE {table}")  # the keyword query reads the column statistics
        cursor.execute(f"SELECT id FROM {table} ORDER BY position")  # noqa: S608
        ids = np.array([row[0] for row in cursor.fetchall()])
    return Loaded(ids, np.concatenate(vectors), np.array(course_ids), np.array(learners), seconds)


def _indexes(hnsw):
    from pgvector.django import HnswIndex

    from tutor.models import Chunk

    gin = next(index for index in Chunk._meta.indexes if index.name == "chunk_search_vector_gin")
    model_hnsw = next(index for index in Chunk._meta.indexes if isinstance(index, HnswIndex))
    if hnsw is None:
        return gin, model_hnsw
    m, ef_construction = hnsw
    _, args, kwargs = model_hnsw.deconstruct()
    return gin, HnswIndex(*args, **{**kwargs, "m": m, "ef_construction": ef_construction})


def _create_sql(index):
    from django.db import connection

    from tutor.models import Chunk

    with connection.schema_editor(collect_sql=True) as editor:
        return str(index.create_sql(Chunk, editor))
