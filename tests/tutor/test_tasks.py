"""The index follows the page tree: publish (through a real worker), unpublish, delete, move, privacy."""

import pytest
from django.test import override_settings
from wagtail.models import PageViewRestriction

from tests import factories as f
from tests.fake_openai import FakeOpenAI
from tutor.indexing.indexer import index_page
from tutor.models import Chunk, PageIndexState


def lesson_with_text(course, title="What AI is"):
    return f.lesson(course, title, body=[f.heading("Patterns"), f.paragraph("<p>Models learn from examples.</p>")])


@pytest.fixture
def fake_openai():
    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_publishing_a_lesson_indexes_it_in_the_worker(celery_worker, wait_for):
    course = f.course()
    lesson = lesson_with_text(course)  # published here, so the task is queued on commit

    assert wait_for(lambda: Chunk.objects.filter(page=lesson).exists())
    chunk = Chunk.objects.get(page=lesson)
    assert (chunk.anchor, chunk.course_id) == ("patterns", course.pk)
    assert wait_for(lambda: PageIndexState.objects.filter(page=lesson, status="indexed", chunk_count=1).exists())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_embedding_errors_are_retried_by_the_worker(celery_worker, fake_openai, wait_for):
    fake_openai.fail_next("500")
    with override_settings(
        TUTOR_EMBEDDING_PROVIDER="openai",
        TUTOR_EMBEDDING_MODEL="fake-embedding",
        OPENAI_BASE_URL=fake_openai.url,
        OPENAI_API_KEY="test-key",
        TUTOR_LLM_MAX_RETRIES=0,  # no SDK-level retry: the Celery task must retry by itself
    ):
        course = f.course()
        lesson = lesson_with_text(course)

        assert wait_for(lambda: Chunk.objects.filter(page=lesson).exists())

    embedding_calls = [r for r in fake_openai.requests if r["path"] == "/v1/embeddings"]
    assert len(embedding_calls) >= 2  # the first failed with a 500, a retry succeeded
    assert Chunk.objects.get(page=lesson).embedding_model == "openai:fake-embedding:384"
    state = PageIndexState.objects.get(page=lesson)
    assert (state.status, state.last_error) == ("indexed", "")


@pytest.mark.django_db
def test_publish_queues_indexing_on_commit(django_capture_on_commit_callbacks):
    course = f.course()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        lesson = lesson_with_text(course)
    assert not Chunk.objects.filter(page=lesson).exists()  # nothing before the commit

    for callback in callbacks:
        callback()

    assert Chunk.objects.filter(page=lesson).count() == 1


@pytest.mark.django_db
def test_unpublishing_removes_the_chunks_at_once():
    lesson = lesson_with_text(f.course())
    index_page(lesson)

    lesson.unpublish()

    assert not Chunk.objects.filter(page=lesson).exists()
    assert PageIndexState.objects.get(page=lesson).status == "removed"


@pytest.mark.django_db
def test_deleting_a_lesson_deletes_its_chunks():
    lesson = lesson_with_text(f.course())
    index_page(lesson)
    assert Chunk.objects.filter(page=lesson).exists()
    page_id = lesson.pk

    lesson.delete()

    assert not Chunk.objects.filter(page_id=page_id).exists()


@pytest.mark.django_db
def test_moving_a_lesson_rescopes_it_to_the_new_course(django_capture_on_commit_callbacks):
    first, second = f.course("AI basics"), f.course("AI at work")
    lesson = lesson_with_text(first)
    index_page(lesson)

    with django_capture_on_commit_callbacks(execute=True):
        lesson.move(second, pos="last-child")

    chunk = Chunk.objects.get(page=lesson)
    assert chunk.course_id == second.pk
    assert chunk.heading_path == "AI at work › What AI is › Patterns"


@pytest.mark.django_db
def test_password_protection_removes_and_lifting_it_restores_chunks(django_capture_on_commit_callbacks):
    course = f.course()
    lessons = [lesson_with_text(course, "One"), lesson_with_text(course, "Two")]
    for lesson in lessons:
        index_page(lesson)

    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageViewRestriction.objects.create(
            page=course, restriction_type=PageViewRestriction.PASSWORD, password="secret"
        )
    assert not Chunk.objects.filter(page__in=lessons).exists()

    with django_capture_on_commit_callbacks(execute=True):
        restriction.delete()
    assert Chunk.objects.filter(page__in=lessons).count() == 2


@pytest.mark.django_db
def test_a_failing_embedding_endpoint_never_fails_the_publish(django_capture_on_commit_callbacks, fake_openai):
    """Without a broker the task runs eagerly inside the publish request: the error is recorded instead."""
    fake_openai.fail_next(*["500"] * 10)
    with (
        override_settings(
            TUTOR_EMBEDDING_PROVIDER="openai",
            TUTOR_EMBEDDING_MODEL="fake-embedding",
            OPENAI_BASE_URL=fake_openai.url,
            TUTOR_LLM_MAX_RETRIES=0,
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        lesson = lesson_with_text(f.course())

    assert lesson.live
    assert not Chunk.objects.filter(page=lesson).exists()
    state = PageIndexState.objects.get(page=lesson)
    assert state.status == "failed" and "EmbeddingError" in state.last_error
