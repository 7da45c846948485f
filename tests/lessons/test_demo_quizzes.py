"""The demo quizzes measure reading: no answer pattern to guess from, in any language.

Reads the curriculum files (no database): every quiz in every language is checked with the same
answer-pattern checks editors see, and a simulated learner who always ticks the first option of
each drawn, shuffled question fails nearly every attempt.
"""

import random
import re
from collections import Counter

import pytest
from django.utils.text import slugify

from lessons.authoring.quiz_checks import quiz_warnings
from lessons.curriculum.loader import COMPETENCES
from lessons.curriculum.reader import CURRICULUM_ROOT, read_curriculum, read_translations
from lessons.learning.quizzes import draw_layout, grade, questions_per_attempt, shown_questions
from lessons.models import LessonPage

KEYS = [key for key, _name, _description in COMPETENCES]
SOURCE = read_curriculum(CURRICULUM_ROOT / "en", KEYS)
COURSES = {"en": SOURCE, **read_translations(CURRICULUM_ROOT, SOURCE, KEYS, "en")}
BODY = LessonPage._meta.get_field("body")
# The form already says "(choose all that apply)" after a multi-answer prompt; the prompt must not say it again.
HINTS = re.compile(r"choose all that apply|vali kõik|выберите все", re.I)


def quizzes(language):
    for course in COURSES[language]:
        for lesson in course.lessons:
            for block in BODY.to_python(lesson.body):
                if block.block_type == "quiz":
                    yield f"{language}/{course.slug}/{lesson.slug}", block.value


ALL_QUIZZES = [item for language in COURSES for item in quizzes(language)]


@pytest.mark.parametrize(("where", "quiz"), ALL_QUIZZES, ids=[where for where, _quiz in ALL_QUIZZES])
def test_each_demo_quiz_passes_the_answer_pattern_checks_and_asks_three_to_five(where, quiz):
    assert quiz_warnings(quiz) == []
    assert 3 <= questions_per_attempt(quiz) <= 5
    for question in quiz["questions"]:
        assert not (question["kind"] == "multiple" and HINTS.search(question["prompt"])), question["prompt"]


@pytest.mark.parametrize("language", COURSES)
def test_right_answers_are_spread_over_positions_and_lengths_and_multi_answer_counts_vary(language):
    positions, longest, shapes = Counter(), 0, Counter()
    singles = 0
    for _where, quiz in quizzes(language):
        for question in quiz["questions"]:
            options = list(question["options"])
            right = [number for number, option in enumerate(options, start=1) if option["is_correct"]]
            if question["kind"] == "single":
                singles += 1
                positions[right[0]] += 1
                lengths = [len(option["text"]) for option in options]
                longest += lengths[right[0] - 1] == max(lengths) and lengths.count(max(lengths)) == 1
            else:
                shapes[len(right) / len(options)] += 1
    assert max(positions.values()) <= 0.4 * singles, f"right answers by position: {dict(positions)}"
    assert longest <= 0.4 * singles, f"the right answer is the longest in {longest} of {singles}"
    assert min(shapes) < 0.5 and max(shapes) == 1.0, f"share of right options in multi-answer questions: {shapes}"


def test_a_learner_who_always_ticks_the_first_option_fails_nearly_every_attempt():
    rng = random.Random(2026)
    attempts = passes = 0
    failed_quizzes = 0
    for _where, quiz in ALL_QUIZZES:
        quiz_passes = 0
        for _learner in range(40):
            layout = draw_layout(quiz, rng)
            answers = {question_id: [options[0][0]] for question_id, _q, options in shown_questions(quiz, layout)}
            quiz_passes += grade(quiz, answers, layout).passed
        attempts, passes = attempts + 40, passes + quiz_passes
        failed_quizzes += quiz_passes < 20
    assert passes / attempts < 0.1, f"{passes} of {attempts} first-option attempts passed"
    assert failed_quizzes == len(ALL_QUIZZES)


@pytest.mark.parametrize("language", COURSES)
def test_catalogue_topics_are_phrases_not_slugs(language):
    for course in COURSES[language]:
        for topic in course.topics:
            assert not ("-" in topic and topic == slugify(topic)), f"{course.slug}: topic {topic!r} is a slug"
