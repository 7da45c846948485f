"""Grading is a pure function of the quiz block value and the parsed answers."""

import pytest
from django.http import QueryDict

from lessons.blocks import QuizBlock
from lessons.learning.exceptions import QuizInputError
from lessons.learning.quizzes import file_order_layout, grade, parse_answers
from tests.factories import ALL_RIGHT, ALL_WRONG, HALF_RIGHT, quiz, two_question_quiz


def quiz_value(spec):
    _type, raw = spec
    return QuizBlock().to_python(raw)


def post_data(value, chosen):
    data = QueryDict(mutable=True)
    for question in value["questions"].bound_blocks:
        for option in question.value["options"].bound_blocks:
            if option.value["text"] in chosen.get(question.value["prompt"], []):
                data.appendlist(f"question-{question.id}", option.id)
    return data


def graded(value, chosen):
    layout = file_order_layout(value)
    return grade(value, parse_answers(value, post_data(value, chosen), layout), layout)


def test_all_right_scores_full_marks_and_passes():
    result = graded(quiz_value(two_question_quiz()), ALL_RIGHT)
    assert (result.correct_count, result.question_count, result.score_percent, result.passed) == (2, 2, 100, True)


def test_multiple_choice_needs_all_and_only_the_correct_options():
    value = quiz_value(two_question_quiz())
    some = graded(value, HALF_RIGHT)
    extra = graded(value, {**ALL_RIGHT, "Which of these use AI?": ["Spam filter", "Face unlock", "Pocket calculator"]})
    assert [q.correct for q in some.questions] == [True, False]
    assert [q.correct for q in extra.questions] == [True, False]
    assert some.score_percent == 50 and not some.passed


def test_single_choice_wrong_option_is_wrong():
    result = graded(quiz_value(two_question_quiz()), ALL_WRONG)
    assert [q.correct for q in result.questions] == [False, False]
    assert result.score_percent == 0


def test_result_carries_feedback_of_chosen_options_and_the_correct_texts():
    result = graded(quiz_value(two_question_quiz()), HALF_RIGHT)
    second = result.questions[1]
    assert [chosen["text"] for chosen in second.chosen] == ["Spam filter"]
    assert second.correct_options == ["Spam filter", "Face unlock"]


def ten_questions(pass_mark):
    """Ten one-answer questions: "right" is correct, "wrong" is not."""
    return quiz(
        [(f"Question {n}", "single", [("right", True, ""), ("wrong", False, "")], "") for n in range(10)],
        pass_mark=pass_mark,
    )


@pytest.mark.parametrize(("right_answers", "passed"), [(7, True), (6, False)])
def test_pass_mark_boundary_is_inclusive(right_answers, passed):
    value = quiz_value(ten_questions(pass_mark=70))
    chosen = {f"Question {n}": ["right" if n < right_answers else "wrong"] for n in range(10)}
    result = graded(value, chosen)
    assert result.score_percent == right_answers * 10
    assert result.passed is passed


def test_a_fraction_just_below_the_pass_mark_does_not_round_up():
    value = quiz_value(
        quiz([(f"Q{n}", "single", [("right", True, ""), ("wrong", False, "")], "") for n in range(200)], pass_mark=70)
    )
    chosen = {f"Q{n}": ["right" if n < 139 else "wrong"] for n in range(200)}  # 69.5 %
    result = graded(value, chosen)
    assert result.score_percent == 70  # shown rounded ...
    assert not result.passed  # ... but graded exactly


@pytest.mark.parametrize(
    "tamper",
    [
        "unanswered",
        "unknown_question",
        "unknown_option",
        "option_from_another_question",
        "two_options_for_single",
    ],
)
def test_malformed_answers_are_rejected(tamper):
    value = quiz_value(two_question_quiz())
    data = post_data(value, ALL_RIGHT)
    first, second = value["questions"].bound_blocks
    if tamper == "unanswered":
        del data[f"question-{second.id}"]
    elif tamper == "unknown_question":
        data.appendlist("question-not-a-question", first.value["options"].bound_blocks[0].id)
    elif tamper == "unknown_option":
        data.setlist(f"question-{first.id}", ["no-such-option"])
    elif tamper == "option_from_another_question":
        data.setlist(f"question-{first.id}", [second.value["options"].bound_blocks[0].id])
    else:
        data.setlist(f"question-{first.id}", [option.id for option in first.value["options"].bound_blocks])
    with pytest.raises(QuizInputError):
        parse_answers(value, data, file_order_layout(value))
