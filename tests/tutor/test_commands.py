"""tutor_reindex, tutor_search and tutor_eval as an operator runs them."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests import factories as f
from tutor.indexing.indexer import index_page
from tutor.indexing.reconcile import clear_index, column_dimensions
from tutor.models import Chunk, PageIndexState
from tutor.quality.evaluation import score_question

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue()


@pytest.fixture
def lessons():
    course = f.course("AI basics", intro="<p>An introduction to artificial intelligence.</p>")
    learning = f.lesson(
        course,
        "How machines learn",
        body=[
            f.heading("Hallucinations"),
            f.paragraph("<p>Chatbots sometimes invent facts that sound plausible but are false.</p>"),
            f.teacher_note("<p>TEACHERONLY: show a made-up citation.</p>"),
        ],
    )
    privacy = f.lesson(
        course, "Privacy", body=[f.heading("Personal data"), f.paragraph("<p>Keep health records private.</p>")]
    )
    return course, learning, privacy


def test_reindex_indexes_missing_pages_then_finds_nothing_to_do(lessons):
    course, learning, privacy = lessons

    first = run("tutor_reindex")
    second = run("tutor_reindex")

    assert Chunk.objects.filter(page=learning).count() == 2
    assert Chunk.objects.filter(page=privacy).count() == 1
    assert Chunk.objects.filter(page=course).count() == 1  # the course intro
    assert "3 pages checked, 3 changed; 4 chunks embedded, 0 reused" in first
    assert "3 pages checked, 0 changed; 0 chunks embedded, 4 reused" in second
    assert "Tutor index is up to date." in second


def test_reindex_removes_chunks_of_pages_no_longer_live(lessons):
    _, learning, privacy = lessons
    run("tutor_reindex")
    privacy.live = False  # unpublished without signals, e.g. by a bulk update: drift to repair
    privacy.save(update_fields=["live"])

    output = run("tutor_reindex")

    assert not Chunk.objects.filter(page=privacy).exists()
    assert PageIndexState.objects.get(page=privacy).status == "removed"
    assert Chunk.objects.filter(page=learning).exists()
    assert "1 pages removed from the index" in output


def test_rebuild_resizes_the_vector_column_and_recreates_the_hnsw_index(lessons):
    run("tutor_reindex")

    clear_index(dimensions=8)
    assert column_dimensions() == 8 and not Chunk.objects.exists()
    output = run("tutor_reindex", "--rebuild")  # the local model has 384 dimensions

    assert column_dimensions() == 384
    assert Chunk.objects.count() == 4
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'chunk_embedding_hnsw'")
        assert "hnsw (embedding vector_cosine_ops)" in cursor.fetchone()[0]
    assert "4 chunks embedded" in output


def test_search_json_lists_ranked_chunks_with_links(lessons):
    _, learning, privacy = lessons
    for page in (learning, privacy):
        index_page(page)

    results = json.loads(run("tutor_search", "why do chatbots invent facts", "--json", "--limit", "2"))

    assert len(results) == 2
    top = results[0]
    assert top["url"] == "/en/courses/ai-basics/how-machines-learn/#hallucinations"
    assert (top["title"], top["section"]) == ("How machines learn", "Hallucinations")
    assert top["text"].startswith("Chatbots sometimes invent facts")
    assert top["score"] >= results[1]["score"]
    assert all("TEACHERONLY" not in item["text"] for item in results)


def test_search_as_an_estonian_learner_prefers_the_estonian_translation(lessons):
    _, learning, privacy = lessons
    learning_et = f.translate(
        learning,
        "et",
        title="Kuidas masinad õpivad",
        body=[
            f.heading("Hallutsinatsioonid", anchor="hallucinations"),
            f.paragraph("<p>Juturobotid mõtlevad vahel välja fakte, mis kõlavad usutavalt, kuid on valed.</p>"),
        ],
    )
    for page in (learning, privacy, learning_et):
        index_page(page)

    results = json.loads(run("tutor_search", "miks juturobot fakte välja mõtleb", "--locale", "et", "--json"))

    assert (results[0]["page_id"], results[0]["language"]) == (learning_et.pk, "et")
    assert results[0]["url"] == "/et/courses/ai-basics/how-machines-learn/#hallucinations"
    assert [item["url"] for item in results].count(results[0]["url"].replace("/et/", "/en/")) == 0, (
        "a section comes in one language"
    )


def test_search_as_a_teacher_includes_teacher_notes_and_rejects_unknown_users(lessons):
    _, learning, _ = lessons
    index_page(learning)
    f.teacher("mrs-smith")

    table = run("tutor_search", "made-up citation", "--user", "mrs-smith", "--limit", "5")

    assert "TEACHERONLY" in table and "(teachers only)" in table
    with pytest.raises(CommandError, match="No user named"):
        run("tutor_search", "anything", "--user", "nobody")


def test_eval_reports_recall_and_mrr_for_each_mode(lessons, tmp_path):
    _, learning, privacy = lessons
    for page in (learning, privacy):
        index_page(page)
    (tmp_path / "one.jsonl").write_text(
        json.dumps({"question": "chatbots invent facts", "expected": ["/courses/ai-basics/how-machines-learn/"]})
        + "\n\n"
        + json.dumps({"question": "health records", "expected": ["/courses/ai-basics/privacy/#personal-data"]})
        + "\n"
    )

    output = run("tutor_eval", str(tmp_path), "--k", "3")

    assert "2 questions, k=3" in output
    for mode in ("hybrid", "vector", "keyword"):
        assert f"| {mode} | 1.000 | 1.000 |" in output


def test_eval_rejects_a_malformed_file(tmp_path):
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"question": "no expected key"}\n')

    with pytest.raises(CommandError, match="broken.jsonl:1"):
        run("tutor_eval", str(broken))


def test_score_question_matches_pages_and_anchors():
    urls = ["/c/a/#x", "/c/b/#y", "/c/b/#z"]

    assert score_question(urls, ["/c/b/"]) == (1.0, 0.5)
    assert score_question(urls, ["/c/b/#z", "/c/q/"]) == (0.5, 1 / 3)
    assert score_question(urls, ["/c/a/#y"]) == (0.0, 0.0)


def test_a_translation_of_the_expected_section_counts_as_found():
    """Eval sets name sections without a language; translations keep the source's anchors."""
    urls = ["/ru/courses/ai-basics/bias/#what-bias-means", "/et/courses/ai-basics/bias/#where-bias-comes-from"]

    assert score_question(urls, ["/courses/ai-basics/bias/#where-bias-comes-from"]) == (1.0, 0.5)
    assert score_question(["/xx/courses/ai-basics/bias/#what-bias-means"], ["/courses/ai-basics/bias/"]) == (0.0, 0.0)
