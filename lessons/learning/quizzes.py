"""Quizzes, drawn and graded on the server.

Each attempt is drawn for the learner: ``questions_per_attempt`` questions from the quiz's pool
(author order kept) with each question's options shuffled, except pinned ones such as "All of the
above". The draw (the layout) is stored with the attempt, so feedback, review and regrading refer
to the options the learner saw, in the order they saw them.

The page HTML carries only prompts, option texts and their ListBlock item ids; which options
are correct, the per-option feedback and the explanations stay in the stored block value until
the learner submits. A question counts as correct when the learner chose all and only its
correct options among those shown (for single-answer questions: the one correct option).

What the result reveals: on a pass, the correct options and explanations; on a fail, which
questions were right or wrong and the feedback on the options the learner chose, so a retry
still asks them to think rather than copy the answer key.
"""

import random
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .exceptions import QuizInputError, QuizNotFound

ANSWER_FIELD_PREFIX = "question-"


@dataclass
class QuestionResult:
    question_id: str
    prompt: str
    correct: bool
    options: list[dict]  # in the order shown: text, chosen, correct, feedback
    explanation: str

    @property
    def chosen(self) -> list[dict]:
        return [option for option in self.options if option["chosen"]]

    @property
    def correct_options(self) -> list[str]:
        return [option["text"] for option in self.options if option["correct"]]


@dataclass
class QuizResult:
    pass_mark: int
    questions: list[QuestionResult] = field(default_factory=list)

    @property
    def question_count(self) -> int:
        return len(self.questions)

    @property
    def correct_count(self) -> int:
        return sum(question.correct for question in self.questions)

    @property
    def score_percent(self) -> int:
        if not self.questions:
            return 0
        return round(100 * self.correct_count / self.question_count)

    @property
    def passed(self) -> bool:
        # Exact comparison, so 69.5% does not round up to a 70% pass mark.
        return bool(self.questions) and 100 * self.correct_count >= self.pass_mark * self.question_count


def find_quiz(lesson, quiz_block_id: str):
    """The quiz block value with this stream id in the lesson body."""
    for block in lesson.body:
        if block.block_type == "quiz" and block.id == quiz_block_id:
            return block.value
    raise QuizNotFound(_("This lesson has no such quiz."))


def questions_of(quiz):
    """(question id, question value, {option id: option value}) for each question of the pool, in file order."""
    for question in quiz["questions"].bound_blocks:
        options = {option.id: option.value for option in question.value["options"].bound_blocks}
        yield question.id, question.value, options


def pool_size(quiz) -> int:
    return len(quiz["questions"])


def questions_per_attempt(quiz) -> int:
    return min(quiz.get("questions_per_attempt") or pool_size(quiz), pool_size(quiz))


def draw_layout(quiz, rng: random.Random) -> list[dict]:
    """One attempt's questions and option orders: ``[{"question": id, "options": [id, ...]}, ...]``."""
    pool = list(questions_of(quiz))
    drawn = sorted(rng.sample(range(len(pool)), questions_per_attempt(quiz)))
    return [{"question": pool[index][0], "options": _shuffled(pool[index][2], rng)} for index in drawn]


def file_order_layout(quiz) -> list[dict]:
    """Every question with its options in file order: what attempts stored before shuffling showed."""
    return [{"question": question_id, "options": list(options)} for question_id, _q, options in questions_of(quiz)]


def _shuffled(options: dict, rng: random.Random) -> list[str]:
    ids = list(options)
    pinned = {index for index, option_id in enumerate(ids) if options[option_id].get("pinned")}
    movable = [option_id for index, option_id in enumerate(ids) if index not in pinned]
    rng.shuffle(movable)
    remaining = iter(movable)
    return [ids[index] if index in pinned else next(remaining) for index in range(len(ids))]


def shown_questions(quiz, layout):
    """(question id, question value, [(option id, option value), ...]) as the layout showed them.

    Questions or options an author removed since the draw are left out, so an old attempt can
    still be reviewed and regraded.
    """
    pool = {question_id: (question, options) for question_id, question, options in questions_of(quiz)}
    for entry in layout:
        if entry["question"] in pool:
            question, options = pool[entry["question"]]
            yield (
                entry["question"],
                question,
                [(option_id, options[option_id]) for option_id in entry["options"] if option_id in options],
            )


def parse_answers(quiz, data, layout) -> dict[str, list[str]]:
    """Read ``question-<id>`` fields from POST data into {question id: [option ids]}.

    Every question of the layout must be answered with option ids it showed; a single-answer
    question takes exactly one. Anything else raises QuizInputError.
    """
    known = {question_id: (question, dict(options)) for question_id, question, options in shown_questions(quiz, layout)}
    submitted = {key[len(ANSWER_FIELD_PREFIX) :] for key in data if key.startswith(ANSWER_FIELD_PREFIX)}
    if submitted - known.keys():
        raise QuizInputError(
            _("These answers belong to an earlier draw of this quiz. Here are the questions of your current attempt.")
        )
    answers = {}
    for question_id, (question, options) in known.items():
        chosen = list(dict.fromkeys(data.getlist(ANSWER_FIELD_PREFIX + question_id)))
        if not chosen:
            raise QuizInputError(_("Please answer every question before submitting."))
        if any(option_id not in options for option_id in chosen):
            raise QuizInputError(_("An answer names an option that is not part of its question."))
        if question["kind"] == "single" and len(chosen) != 1:
            raise QuizInputError(_("Choose exactly one option for a one-answer question."))
        answers[question_id] = chosen
    return answers


def grade(quiz, answers: dict[str, list[str]], layout) -> QuizResult:
    """Grade answers to the questions of ``layout``: correct when exactly its correct shown options were chosen."""
    result = QuizResult(pass_mark=quiz["pass_mark"])
    for question_id, question, options in shown_questions(quiz, layout):
        chosen_ids = set(answers.get(question_id, []))
        correct_ids = {option_id for option_id, option in options if option["is_correct"]}
        result.questions.append(
            QuestionResult(
                question_id=question_id,
                prompt=question["prompt"],
                correct=chosen_ids == correct_ids,
                options=[
                    {
                        "text": option["text"],
                        "chosen": option_id in chosen_ids,
                        "correct": option_id in correct_ids,
                        "feedback": option["feedback"],
                    }
                    for option_id, option in options
                ],
                explanation=question["explanation"],
            )
        )
    return result
