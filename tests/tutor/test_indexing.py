"""index_page: unchanged chunks keep their embedding, stale ones go, failures keep the old index."""

import pytest

from tests import factories as f
from tests.tutor.spies import CountingProvider
from tutor.indexing.embeddings import EmbeddingError
from tutor.indexing.indexer import index_page
from tutor.models import Chunk, PageIndexState

pytestmark = pytest.mark.django_db


def three_section_lesson():
    course = f.course()
    return f.lesson(
        course,
        body=[
            f.heading("Patterns"),
            f.paragraph("<p>Models learn patterns from examples.</p>"),
            f.heading("Limits"),
            f.paragraph("<p>Models can be confidently wrong.</p>"),
            f.teacher_note("<p>Ask who has seen a wrong answer.</p>"),
        ],
    )


def snapshot(page):
    return list(Chunk.objects.filter(page=page).order_by("position").values_list("id", "content_hash", "position"))


def test_indexing_twice_embeds_nothing_the_second_time():
    lesson = three_section_lesson()
    spy = CountingProvider()

    first = index_page(lesson, provider=spy)
    before = snapshot(lesson)
    spy.embedded.clear()
    second = index_page(lesson, provider=spy)

    assert (first.embedded, first.reused) == (3, 0)
    assert (second.embedded, second.reused, second.deleted) == (0, 3, 0)
    assert spy.embedded == []
    assert snapshot(lesson) == before
    state = PageIndexState.objects.get(page=lesson)
    assert (state.status, state.chunk_count, state.embedding_model) == ("indexed", 3, spy.model_name)
    assert state.last_indexed_at is not None and state.last_error == ""


def test_editing_one_section_re_embeds_only_that_chunk():
    lesson = three_section_lesson()
    spy = CountingProvider()
    index_page(lesson, provider=spy)
    unchanged = Chunk.objects.get(page=lesson, section_title="Patterns")
    spy.embedded.clear()

    lesson.body[3] = ("paragraph", "<p>Models can be wrong and sound sure.</p>")
    lesson.save_revision().publish()
    result = index_page(lesson, provider=spy)

    assert len(spy.embedded) == 1 and "sound sure" in spy.embedded[0]
    assert (result.embedded, result.reused, result.deleted) == (1, 2, 1)
    assert Chunk.objects.filter(pk=unchanged.pk).exists()
    assert list(Chunk.objects.filter(page=lesson).values_list("text", flat=True)) == [
        "Models learn patterns from examples.",
        "Models can be wrong and sound sure.",
        "Ask who has seen a wrong answer.",
    ]


def test_chunks_store_scope_hash_model_vector_and_search_vector():
    lesson = three_section_lesson()
    spy = CountingProvider()
    index_page(lesson, provider=spy)

    chunk = Chunk.objects.get(page=lesson, section_title="Limits", visibility="learners")

    assert chunk.course_id == lesson.get_parent().pk
    assert chunk.locale_id == lesson.locale_id
    assert chunk.anchor == "limits"
    assert chunk.heading_path == "AI basics › What AI is › Limits"
    assert chunk.embedding_model == spy.model_name and len(chunk.embedding) == 384
    assert len(chunk.content_hash) == 64
    assert Chunk.objects.filter(pk=chunk.pk, search_vector="confidently").exists()
    teacher_chunk = Chunk.objects.get(page=lesson, visibility="teachers")
    assert teacher_chunk.content_hash != chunk.content_hash


def test_a_new_embedding_model_replaces_every_chunk():
    lesson = three_section_lesson()
    index_page(lesson, provider=CountingProvider())
    renamed = CountingProvider(model_name="local:renamed-model")

    result = index_page(lesson, provider=renamed)

    assert (result.embedded, result.deleted) == (3, 3)
    assert set(Chunk.objects.filter(page=lesson).values_list("embedding_model", flat=True)) == {"local:renamed-model"}


def test_an_embedding_failure_keeps_the_old_chunks_and_records_the_error():
    lesson = three_section_lesson()
    index_page(lesson, provider=CountingProvider())
    before = snapshot(lesson)
    lesson.body[1] = ("paragraph", "<p>Changed text that needs embedding.</p>")
    lesson.save_revision().publish()

    with pytest.raises(EmbeddingError):
        index_page(lesson, provider=CountingProvider(fail_with=EmbeddingError("model server down")))

    assert snapshot(lesson) == before
    state = PageIndexState.objects.get(page=lesson)
    assert state.status == "failed" and "model server down" in state.last_error


def test_a_draft_lesson_is_not_indexed():
    course = f.course()
    draft = f.lesson(course, body=[f.paragraph("<p>Unpublished words.</p>")], publish=False)

    result = index_page(draft, provider=CountingProvider())

    assert result.embedded == 0
    assert not Chunk.objects.filter(page=draft).exists()
    assert PageIndexState.objects.get(page=draft).status == "removed"


class WhileEmbedding(CountingProvider):
    """Runs ``meanwhile()`` once, while the indexer is embedding: another run overtakes this one."""

    def __init__(self, meanwhile):
        super().__init__()
        self.meanwhile = meanwhile

    def embed(self, texts):
        vectors = super().embed(texts)
        meanwhile, self.meanwhile = self.meanwhile, None
        if meanwhile:
            meanwhile()
        return vectors


def publish_text(lesson, text):
    lesson.body[3] = ("paragraph", f"<p>{text}</p>")
    lesson.save_revision().publish()
    lesson.refresh_from_db()
    return lesson.live_revision_id


def texts(page):
    return list(Chunk.objects.filter(page=page).order_by("position").values_list("text", flat=True))


def test_a_run_that_chunked_an_older_revision_never_overwrites_a_newer_one():
    """Revision N is chunked; N+1 is published and indexed while N is embedding; N+1 must stay."""
    lesson = three_section_lesson()
    index_page(lesson, provider=CountingProvider())
    old_revision = publish_text(lesson, "Revision N: models can be wrong.")
    newer = {}

    def publish_and_index_newer():
        newer["revision"] = publish_text(lesson, "Revision N+1: models can be confidently wrong.")
        newer["result"] = index_page(lesson, provider=CountingProvider())

    stale = index_page(lesson, provider=WhileEmbedding(publish_and_index_newer))

    assert newer["revision"] > old_revision and not newer["result"].superseded
    assert stale.superseded and (stale.embedded, stale.deleted) == (0, 0)
    assert "Revision N+1: models can be confidently wrong." in texts(lesson)
    assert not any("Revision N:" in text for text in texts(lesson))
    state = PageIndexState.objects.get(page=lesson)
    assert (state.status, state.indexed_revision_id, state.chunk_count) == ("indexed", newer["revision"], 3)


def test_a_run_overtaken_by_an_unpublish_stores_nothing():
    lesson = three_section_lesson()

    result = index_page(lesson, provider=WhileEmbedding(lesson.unpublish))

    assert result.superseded
    assert not Chunk.objects.filter(page=lesson).exists()
    assert PageIndexState.objects.get(page=lesson).status == "removed"


def test_the_revision_indexed_is_recorded_and_a_re_index_of_it_is_not_superseded():
    lesson = three_section_lesson()

    first = index_page(lesson, provider=CountingProvider())
    again = index_page(lesson, provider=CountingProvider())

    assert not first.superseded and not again.superseded
    lesson.refresh_from_db()
    assert PageIndexState.objects.get(page=lesson).indexed_revision_id == lesson.live_revision_id is not None
