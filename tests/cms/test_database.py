import os

import pytest
from django.db import connection

from cms.database import embedded_database_config

pytestmark = pytest.mark.django_db


def test_vector_extension_is_installed():
    with connection.cursor() as cursor:
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        row = cursor.fetchone()
    assert row is not None, "the vector extension should be created by cms.0001"


def test_vector_column_round_trips_and_orders_by_cosine_distance():
    from pgvector.django import CosineDistance
    from wagtail.models import Locale, Page

    from tutor.models import Chunk

    page = Page.objects.get(depth=2)
    locale = Locale.get_default()

    def vector(*head):
        return list(head) + [0.0] * (384 - len(head))

    def chunk(position, embedding):
        return Chunk.objects.create(
            page=page,
            locale=locale,
            position=position,
            text=f"chunk {position}",
            content_hash=str(position),
            embedding_model="test",
            embedding=embedding,
        )

    east = chunk(0, vector(1.0, 0.0))
    north_east = chunk(1, vector(1.0, 1.0))
    north = chunk(2, vector(0.0, 1.0))

    stored = Chunk.objects.get(pk=north_east.pk)
    assert list(stored.embedding[:3]) == [1.0, 1.0, 0.0]

    nearest = Chunk.objects.order_by(CosineDistance("embedding", vector(0.9, 0.1))).values_list("pk", flat=True)
    assert list(nearest) == [east.pk, north_east.pk, north.pk]


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="DATABASE_URL points at an external server")
def test_embedded_config_is_idempotent_and_uses_a_socket():
    first = embedded_database_config("platform")
    second = embedded_database_config("platform")
    assert first == second
    assert first["ENGINE"] == "django.db.backends.postgresql"
    assert first["HOST"].startswith("/"), "the embedded server listens on a Unix socket, not TCP"


def test_a_half_written_handle_list_does_not_stop_the_server_from_starting(tmp_path, monkeypatch):
    from cms import database

    monkeypatch.setattr(database, "EMBEDDED_DATA_DIR", tmp_path)
    (tmp_path / ".handle_pids.json").write_text("")
    database._repair_handle_list()
    assert (tmp_path / ".handle_pids.json").read_text() == "[]"

    (tmp_path / ".handle_pids.json").write_text("[1, 2]")
    database._repair_handle_list()
    assert (tmp_path / ".handle_pids.json").read_text() == "[1, 2]", "a readable list is left alone"
