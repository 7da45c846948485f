"""A lesson's StreamField becomes cited, token-bounded chunks; quizzes and teacher notes stay safe."""

import pytest

from tests import factories as f
from tutor.indexing.chunking import HEADING_SEPARATOR, MAX_CHUNK_TOKENS, chunk_page
from tutor.indexing.embeddings import local_provider

pytestmark = pytest.mark.django_db

LONG_SENTENCES = [
    f"Sentence number {n} explains how a model learns patterns from examples it was shown during training."
    for n in range(40)
]


def model_tokens(text):
    """Tokens the embedding model actually reads, including its "passage: " prefix and markers."""
    return local_provider().model().token_count(text)


def test_sections_carry_anchor_heading_path_and_prefix():
    course = f.course("AI basics")
    lesson = f.lesson(
        course,
        "What AI is",
        summary="A first look at artificial intelligence.",
        body=[
            f.paragraph("<p>Intro before any heading.</p>"),
            f.heading("Where you meet AI"),
            f.paragraph("<p>Face unlock and <b>spam filters</b> &amp; more.</p>"),
            f.heading("A working definition", anchor="definition"),
            ("key_term", {"term": "Model", "definition": "A program shaped by data."}),
            ("callout", {"kind": "tip", "title": "Remember", "text": "<p>Rules versus learning.</p>"}),
            ("example", {"kind": "case_study", "title": "Spam", "text": "<p>Learns from marked mail.</p>"}),
            ("reflection", {"prompt": "Where did you meet AI today?"}),
            ("video", {"video": None, "caption": "A short film", "transcript": "The narrator says hello."}),
        ],
    )

    chunks = chunk_page(lesson)

    assert [(c.anchor, c.section_title) for c in chunks] == [
        ("", ""),
        ("where-you-meet-ai", "Where you meet AI"),
        ("definition", "A working definition"),
    ]
    assert chunks[0].heading_path == "AI basics › What AI is"
    assert chunks[1].heading_path == HEADING_SEPARATOR.join(["AI basics", "What AI is", "Where you meet AI"])
    assert chunks[0].text == "A first look at artificial intelligence. Intro before any heading."
    assert chunks[1].text == "Face unlock and spam filters & more."
    assert chunks[1].embedding_input.startswith("AI basics › What AI is › Where you meet AI\n\n")
    definition = chunks[2].text
    for expected in (
        "Model: A program shaped by data.",
        "Remember",
        "Rules versus learning.",
        "Learns from marked mail.",
        "Where did you meet AI today?",
        "A short film",
        "The narrator says hello.",
    ):
        assert expected in definition
    assert [c.position for c in chunks] == [0, 1, 2]


def test_long_sections_split_within_the_model_limit_with_overlap():
    course = f.course()
    lesson = f.lesson(course, body=[f.heading("Learning"), f.paragraph("".join(f"<p>{s}</p>" for s in LONG_SENTENCES))])

    chunks = chunk_page(lesson)

    assert len(chunks) >= 4
    for chunk in chunks:
        assert model_tokens(chunk.embedding_input) <= local_provider().max_tokens
        assert chunk.token_count <= MAX_CHUNK_TOKENS
        assert chunk.anchor == "learning"
    for previous, following in zip(chunks, chunks[1:], strict=False):
        first_of_following = following.text.split(". ")[0] + "."
        last_of_previous = previous.text.rsplit(". ", 1)[-1]
        assert previous.text.endswith(following.text[: following.text.index(last_of_previous)] + last_of_previous)
        assert first_of_following in previous.text  # the overlap: it starts inside the previous chunk
    covered = " ".join(chunk.text for chunk in chunks)
    assert all(sentence in covered for sentence in LONG_SENTENCES)


def test_a_sentence_longer_than_a_chunk_is_cut_at_words():
    course = f.course()
    endless = " ".join(f"word{n}" for n in range(600))
    lesson = f.lesson(course, body=[f.paragraph(f"<p>{endless}</p>")])

    chunks = chunk_page(lesson)

    assert len(chunks) > 1
    assert all(model_tokens(chunk.embedding_input) <= local_provider().max_tokens for chunk in chunks)
    assert "word0 " in chunks[0].text and "word599" in chunks[-1].text


def test_quiz_prompts_options_feedback_and_explanations_never_enter_a_chunk():
    course = f.course()
    lesson = f.lesson(
        course,
        body=[
            f.heading("Check"),
            f.paragraph("<p>Lesson text.</p>"),
            f.one_question_quiz(
                "Which of these is QUIZPROMPT machine learning?",
                [("OPTIONRIGHT spam filter", True, "FEEDBACKYES well done"), ("OPTIONWRONG", False, "FEEDBACKNO")],
                "EXPLANATIONTEXT because it learns",
                title="QUIZTITLE",
            ),
        ],
    )

    everything = " ".join(c.heading_path + " " + c.text for c in chunk_page(lesson))

    assert "Lesson text." in everything
    for secret in (
        "QUIZPROMPT",
        "OPTIONRIGHT",
        "OPTIONWRONG",
        "FEEDBACKYES",
        "FEEDBACKNO",
        "EXPLANATIONTEXT",
        "QUIZTITLE",
    ):
        assert secret not in everything


def test_teacher_notes_become_separate_teacher_only_chunks():
    course = f.course()
    lesson = f.lesson(
        course,
        body=[
            f.heading("Bias"),
            f.paragraph("<p>Learners read this.</p>"),
            f.teacher_note("<p>TEACHERSECRET: pause here for discussion.</p>"),
        ],
    )

    chunks = chunk_page(lesson)

    learners = [c for c in chunks if c.visibility == "learners"]
    teachers = [c for c in chunks if c.visibility == "teachers"]
    assert [c.text for c in learners] == ["Learners read this."]
    assert [c.text for c in teachers] == ["TEACHERSECRET: pause here for discussion."]
    assert teachers[0].anchor == "bias"


def test_course_page_contributes_intro_and_outcomes():
    course = f.course(
        "AI at work",
        intro="<p>Training for staff who use AI tools.</p>",
        learning_outcomes=[("outcome", "Spot risky uses of AI"), ("outcome", "Write a usage policy")],
    )

    chunks = chunk_page(course)

    assert [c.section_title for c in chunks] == ["", "What you will learn"]
    assert chunks[0].text == "Training for staff who use AI tools."
    assert chunks[1].text == "- Spot risky uses of AI - Write a usage policy"
    assert chunks[0].heading_path == "AI at work"
