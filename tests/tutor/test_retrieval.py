"""Hybrid retrieval on real pgvector: ranking, the HNSW index, and who may see which chunks."""

import random

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.postgres.search import SearchVectorField
from django.db import connection, transaction
from django.db.models import Value
from django.db.models.functions import Cast
from wagtail.models import PageViewRestriction

from tests import factories as f
from tests.tutor.spies import CountingProvider
from tutor import retrieval
from tutor.indexing.indexer import index_page, search_vector
from tutor.models import Chunk, Visibility
from tutor.retrieval import (
    LexemeQuery,
    keyword_candidates,
    pooled_lexemes,
    question_lexemes,
    retrieve,
    vector_candidates,
    visible_chunks,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider():
    return CountingProvider()


@pytest.fixture
def course_with_lessons(provider):
    course = f.course("AI basics")
    basics = f.lesson(
        course,
        "How machines learn",
        body=[
            f.heading("Learning from examples"),
            f.paragraph("<p>A spam filter learns which emails are junk from thousands of labelled messages.</p>"),
            f.heading("Hallucinations"),
            f.paragraph("<p>Chatbots sometimes invent facts and citations that sound plausible but are false.</p>"),
            f.teacher_note("<p>TEACHERONLY: let pupils catch the chatbot inventing a source.</p>"),
        ],
    )
    privacy = f.lesson(
        course,
        "Privacy",
        body=[
            f.heading("Personal data"),
            f.paragraph("<p>Never paste your address or health records into an online chatbot.</p>"),
        ],
    )
    for page in (basics, privacy):
        index_page(page, provider=provider)
    return course, basics, privacy


def ask(question, provider, user=None, **kwargs):
    return retrieve(question, user=user or AnonymousUser(), provider=provider, **kwargs)


def test_hybrid_finds_the_section_that_answers_and_links_to_it(course_with_lessons, provider):
    results = ask("why does the chatbot make up fake facts?", provider)

    top = results[0]
    assert top.url == "/en/courses/ai-basics/how-machines-learn/#hallucinations"
    assert (top.title, top.section, top.anchor) == ("How machines learn", "Hallucinations", "hallucinations")
    assert top.text.startswith("Chatbots sometimes invent facts")
    assert top.similarity > results[-1].similarity
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)


def test_each_mode_ranks_on_its_own_signal(course_with_lessons, provider):
    # "junk" appears literally in one chunk only: keyword search must find it first.
    assert ask("junk", provider, mode="keyword")[0].section == "Learning from examples"
    # A paraphrase sharing no word with the text is found by meaning.
    vector_top = ask("keeping my medical information safe online", provider, mode="vector")[0]
    assert vector_top.section == "Personal data"
    # Keyword search cannot match words the course never uses.
    assert ask("zebra giraffe", provider, mode="keyword") == []
    assert ask("", provider) == []
    with pytest.raises(ValueError):
        ask("junk", provider, mode="telepathy")


def test_current_lesson_is_boosted(course_with_lessons, provider):
    course, basics, privacy = course_with_lessons
    question = "chatbot"

    plain = ask(question, provider, mode="keyword")
    boosted = ask(question, provider, mode="keyword", lesson=privacy)

    assert plain[0].page_id == basics.pk
    assert boosted[0].page_id == privacy.pk


def test_teacher_notes_reach_teachers_only(course_with_lessons, provider):
    question = "how do I let pupils catch the chatbot inventing a source"
    student = f.UserFactory(username="student")

    for user in (AnonymousUser(), student):
        assert all(r.visibility == "learners" for r in ask(question, provider, user=user, limit=20))
        assert not any("TEACHERONLY" in r.text for r in ask(question, provider, user=user, limit=20))
    teacher_results = ask(question, provider, user=f.teacher(), limit=20)
    assert any(r.visibility == "teachers" and "TEACHERONLY" in r.text for r in teacher_results)


def test_unpublished_pages_are_never_returned(course_with_lessons, provider):
    _, basics, _ = course_with_lessons
    basics.live = False  # even if chunks were left behind, a page that is not live is filtered out
    basics.save(update_fields=["live"])

    results = ask("spam filter junk emails chatbots invent facts", provider, limit=20)

    assert results and all(r.page_id != basics.pk for r in results)


def test_view_restrictions_are_honoured_per_user(course_with_lessons, provider):
    course, basics, privacy = course_with_lessons
    staff = Group.objects.create(name="Staff")
    member = f.UserFactory(username="member")
    member.groups.add(staff)
    outsider = f.UserFactory(username="outsider")
    PageViewRestriction.objects.create(page=basics, restriction_type=PageViewRestriction.LOGIN)
    groups_only = PageViewRestriction.objects.create(page=course, restriction_type=PageViewRestriction.GROUPS)
    groups_only.groups.add(staff)

    def pages_for(user):
        return {r.page_id for r in ask("chatbot spam personal data", provider, user=user, limit=20)}

    assert pages_for(AnonymousUser()) == set()
    assert pages_for(outsider) == set()  # logged in, but the course is for Staff only
    assert pages_for(member) == {basics.pk, privacy.pk}

    groups_only.delete()
    assert pages_for(AnonymousUser()) == {privacy.pk}  # basics still needs a login
    assert pages_for(outsider) == {basics.pk, privacy.pk}


def test_the_scope_names_the_hidden_pages_not_every_visible_one(course_with_lessons, provider):
    """Each chunk query carries the scope: listing every visible page made it grow with the site."""
    course, basics, privacy = course_with_lessons

    def scope_params(user):
        return visible_chunks(user, model_name=provider.model_name).query.sql_with_params()[1]

    assert not {course.pk, basics.pk, privacy.pk} & set(scope_params(AnonymousUser()))
    PageViewRestriction.objects.create(page=privacy, restriction_type=PageViewRestriction.LOGIN)
    assert {course.pk, basics.pk, privacy.pk} & set(scope_params(AnonymousUser())) == {privacy.pk}
    assert not {course.pk, basics.pk, privacy.pk} & set(scope_params(f.UserFactory(username="member")))


def test_password_protected_pages_are_hidden_from_everyone(course_with_lessons, provider):
    _, _, privacy = course_with_lessons
    PageViewRestriction.objects.create(page=privacy, restriction_type=PageViewRestriction.PASSWORD, password="x")
    superuser = f.UserFactory(username="root", is_superuser=True, is_staff=True)

    results = ask("never paste your address into a chatbot", provider, user=superuser, limit=20)

    assert results and all(r.page_id != privacy.pk for r in results)


def test_the_keyword_query_runs_before_retrieval_waits_for_the_question_vector(course_with_lessons, provider):
    """The tutor embeds the question in a worker thread meanwhile: the keyword query overlaps it, and the
    wait is outside retrieval's transaction (behind PgBouncer an open one would hold a server connection)."""
    executed = []
    transactions_open = []

    class VectorOnItsWay:
        model_name = provider.model_name

        def embed_query(self, text):
            executed.append("the vector is waited for")
            transactions_open.append(len(connection.atomic_blocks))
            return provider.embed_query(text)

    def record(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    outside = len(connection.atomic_blocks)  # the test's own transaction
    with connection.execute_wrapper(record):
        results = ask("spam filter junk emails", VectorOnItsWay())

    waited = executed.index("the vector is waited for")
    assert results and any("ts_rank" in sql for sql in executed[:waited])
    assert any("<=>" in sql for sql in executed[waited:])
    assert transactions_open == [outside]


def test_chunks_of_another_embedding_model_are_ignored(course_with_lessons, provider):
    other = CountingProvider(model_name="local:some-other-model")

    assert ask("chatbot", other) == []


def add_random_chunks(provider, count=1500):
    """``count`` chunks with random vectors on the first chunk's page: enough for the planner to want HNSW."""
    first = Chunk.objects.first()
    rng = random.Random(7)
    Chunk.objects.bulk_create(
        Chunk(
            page_id=first.page_id,
            course_id=first.course_id,
            locale_id=first.locale_id,
            position=1000 + n,
            text=f"filler {n}",
            content_hash=f"filler-{n}",
            embedding_model=provider.model_name,
            embedding=[rng.gauss(0, 1) for _ in range(384)],
        )
        for n in range(count)
    )
    return first.course_id


def plan_without_sequential_scans(queryset_or_sql):
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE tutor_chunk")
            cursor.execute("SET LOCAL enable_seqscan = off")
            if isinstance(queryset_or_sql, tuple):
                cursor.execute("EXPLAIN " + queryset_or_sql[0], queryset_or_sql[1])
                return "\n".join(row[0] for row in cursor.fetchall())
        return queryset_or_sql.explain()


def test_vector_search_uses_the_hnsw_index(course_with_lessons, provider):
    add_random_chunks(provider)
    query = provider.embed(["chatbot"])[0]

    plan = plan_without_sequential_scans(
        vector_candidates(visible_chunks(AnonymousUser(), model_name=provider.model_name), query)[:10]
    )

    assert "Index Scan using chunk_embedding_hnsw" in plan, plan


def test_the_course_query_is_exact_and_never_walks_the_hnsw_graph(course_with_lessons, provider):
    """Where the HNSW index would serve the whole index, a course's nearest chunks are still found exactly."""
    course_id = add_random_chunks(provider)
    query = provider.embed(["chatbot"])[0]
    in_course = visible_chunks(AnonymousUser(), model_name=provider.model_name).filter(course_id__in=[course_id])
    executed = []

    def record(execute, sql, params, many, context):
        executed.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        found = retrieval.course_candidates(in_course, query, depth=12)
    exact = sorted(in_course.values_list("id", "embedding"), key=lambda row: (cosine_distance(row[1], query), row[0]))

    assert found == [chunk_id for chunk_id, _ in exact[:12]]
    assert "chunk_embedding_hnsw" not in plan_without_sequential_scans(executed[-1])


def cosine_distance(a, b):
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return 1 - dot / (sum(x * x for x in a) ** 0.5 * sum(y * y for y in b) ** 0.5)


def test_the_learners_language_comes_first_and_other_languages_fill_in(provider):
    """An Estonian learner gets the Estonian translation; a Russian one, with no Russian course, the original."""
    basics = f.course("AI basics")
    bias = f.lesson(
        basics,
        "Bias and fairness",
        body=[
            f.heading("What bias means"),
            f.paragraph("<p>Bias is a systematic pattern in an AI system that treats some groups unfairly.</p>"),
        ],
    )
    bias_et = f.translate(
        bias,
        "et",
        title="Kallutatus ja õiglus",
        body=[
            f.heading("Mida tähendab kallutatus", anchor="what-bias-means"),
            f.paragraph("<p>Kallutatus on süsteemne muster, mille tõttu TI kohtleb mõnda rühma ebaõiglaselt.</p>"),
        ],
    )
    work = f.course("AI at work", audience="business")
    act = f.lesson(
        work,
        "The EU AI Act",
        body=[
            f.heading("What the law asks"),
            f.paragraph("<p>The EU AI Act is a European law that sets rules for AI systems by their risk.</p>"),
        ],
    )
    for page in (bias, bias_et, act):
        index_page(page, provider=provider)

    estonian = ask("Mis on kallutatus tehisintellektis?", provider, language="et")
    assert estonian[0].page_id == bias_et.pk and estonian[0].language == "et"
    assert estonian[0].url.startswith("/et/courses/ai-basics/") and estonian[0].anchor == "what-bias-means"

    russian = ask("Что требует закон ЕС об искусственном интеллекте?", provider, language="ru")
    assert russian[0].page_id == act.pk and russian[0].language == "en"


def chunk_of(page, section):
    return Chunk.objects.get(page=page, section_title=section, visibility=Visibility.LEARNERS)


def keyword_ids(question, user=None, provider=None, config="english", depth=10):
    visible = visible_chunks(user or AnonymousUser(), model_name=provider.model_name)
    return keyword_candidates(visible, question, config, depth=depth)


def add_chunks(page, texts, provider):
    """Chunks of ``texts`` on ``page``, stored (tsvector included) as the indexer stores them."""
    vector = provider.embed(["filler"])[0]
    created = Chunk.objects.bulk_create(
        Chunk(
            page_id=page.pk,
            course_id=page.get_parent().pk,
            locale_id=page.locale_id,
            position=1000 + n,
            text=text,
            content_hash=f"extra-{n}",
            embedding_model=provider.model_name,
            embedding=vector,
        )
        for n, text in enumerate(texts)
    )
    Chunk.objects.filter(pk__in=[chunk.pk for chunk in created]).update(search_vector=search_vector("english"))
    return created


def test_keyword_query_ranks_the_chunks_that_hold_the_questions_words(course_with_lessons, provider):
    _, basics, privacy = course_with_lessons

    ids = keyword_ids("Which emails are junk?", provider=provider)
    assert ids[0] == chunk_of(basics, "Learning from examples").pk

    ids = keyword_ids("my health records and address", provider=provider)
    assert ids[0] == chunk_of(privacy, "Personal data").pk

    # Any word may match (OR): one sentence names both sections.
    ids = keyword_ids("spam filters and invented citations", provider=provider)
    assert set(ids[:2]) == {chunk_of(basics, "Learning from examples").pk, chunk_of(basics, "Hallucinations").pk}
    assert keyword_ids("zebra giraffe", provider=provider) == []
    assert keyword_ids("the and of", provider=provider) == []  # stop words only: nothing to search for


def test_keyword_query_keeps_the_scope(course_with_lessons, provider):
    course, basics, privacy = course_with_lessons
    teacher_note = Chunk.objects.get(page=basics, visibility=Visibility.TEACHERS)
    question = "let pupils catch the chatbot inventing a source"

    assert teacher_note.pk in keyword_ids(question, user=f.teacher(), provider=provider)
    assert teacher_note.pk not in keyword_ids(question, provider=provider)
    assert teacher_note.pk not in keyword_ids(question, user=f.UserFactory(username="pupil"), provider=provider)

    PageViewRestriction.objects.create(page=privacy, restriction_type=PageViewRestriction.LOGIN)
    assert chunk_of(privacy, "Personal data").pk not in keyword_ids("chatbot address", provider=provider)
    member = f.UserFactory(username="member")
    assert chunk_of(privacy, "Personal data").pk in keyword_ids("chatbot address", user=member, provider=provider)

    PageViewRestriction.objects.create(page=course, restriction_type=PageViewRestriction.LOGIN)
    assert keyword_ids("chatbot", provider=provider) == []  # nothing visible at all
    other = Chunk.objects.filter(page=basics).update(embedding_model="local:another-model")
    assert other and keyword_ids("chatbot", user=member, provider=provider) == [chunk_of(privacy, "Personal data").pk]


def test_keyword_query_parses_the_learners_language(provider):
    lesson = f.lesson(f.course("AI basics"), "Bias", body=[f.heading("Bias"), f.paragraph("<p>Bias is unfair.</p>")])
    estonian = f.translate(
        lesson,
        "et",
        title="Kallutatus",
        body=[f.heading("Kallutatus", anchor="bias"), f.paragraph("<p>Õppimine andmetest on kallutatud.</p>")],
    )
    index_page(estonian, provider=provider)
    wanted = Chunk.objects.get(page=estonian, section_title="Kallutatus").pk

    # "õppimisest" and "õppimine" share the Estonian stem; the English parser keeps them apart.
    assert keyword_ids("Kuidas toimub õppimisest?", provider=provider, config="estonian") == [wanted]
    assert keyword_ids("Kuidas toimub õppimisest?", provider=provider, config="english") == []


def test_keyword_query_takes_words_as_lexemes_without_parsing_them_again(course_with_lessons, provider):
    _, basics, _ = course_with_lessons
    [quoted] = add_chunks(basics, ["GPT-4 isn't a person; see example.com or C:\\temp for o'clock"], provider)

    for question in ("Is GPT-4 a person?", "what's at example.com", "it's five o'clock", "C:\\temp"):
        assert quoted.pk in keyword_ids(question, provider=provider), question
    # Quotes and backslashes inside a lexeme (other parsers and configurations make them) stay literal.
    Chunk.objects.filter(pk=quoted.pk).update(search_vector=Cast(Value("'it''s' 'back\\\\slash'"), SearchVectorField()))
    for lexeme in ("it's", "back\\slash"):
        assert list(Chunk.objects.filter(search_vector=LexemeQuery([lexeme]))) == [quoted]


def test_words_in_most_chunks_are_left_out_once_the_statistics_show_it(course_with_lessons, provider, monkeypatch):
    _, basics, _ = course_with_lessons
    add_chunks(basics, [f"The chatbot answered question {n}." for n in range(300)], provider)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tutor_chunk")
    monkeypatch.setattr(retrieval, "KEYWORD_POOL", 100)

    shares = {lexeme: share for lexeme, share, _ in question_lexemes("chatbot junk", "english")}
    assert shares["junk"] < 0.01 < 0.9 < shares["chatbot"]

    junk = chunk_of(basics, "Learning from examples").pk
    assert keyword_ids("chatbot junk", provider=provider) == [junk]  # "chatbot" would match 300 more: left out
    # The rarest word is always kept, and at most the pool is ranked however many chunks match.
    assert len(keyword_ids("chatbot", provider=provider, depth=500)) == 100


def test_rarest_lexemes_are_kept_while_their_expected_matches_fit_the_pool():
    rows = 100_000
    lexemes = [("deepfak", 0.0, rows), ("video", 0.001, rows), ("spot", 0.004, rows), ("ai", 0.6, rows)]

    assert pooled_lexemes(lexemes) == ["deepfak", "video", "spot"]  # 0 + 100 + 400 expected matches ≤ 500
    assert pooled_lexemes([("ai", 0.6, rows), ("model", 0.3, rows)]) == ["ai"]
    assert pooled_lexemes([("ai", 0.6, 0), ("model", 0.3, 0)]) == ["ai", "model"]  # no statistics yet: all
    assert pooled_lexemes([]) == []
