"""Quizzes, graded on the server.

The page HTML carries only prompts, option texts and their ListBlock item ids; which options
are correct, the per-option feedback and the explanations stay in the stored block value until
the learner submits. A question counts as correct when the learner chose all and only its
correct options (for single-answer questions: the one correct option).

What the result reveals: on a pass, the correct options and explanations; on a fail, which
questions were right or wrong and the feedback on the options the learner chose, so a retry
still asks them to think rather than copy the answer key. Retries are unlimited.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .exceptions import QuizInputError, QuizNotFound

ANSWER_FIELD_PREFIX = "question-"


@dataclass
class QuestionResult:
    question_id: str
    prompt: str
    correct: bool
    chosen: list[dict]
    correct_options: list[str]
    explanation: str


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
    """(question id, question value, {option id: option value}) for each question, in order."""
    for question in quiz["questions"].bound_blocks:
        options = {option.id: option.value for option in question.value["options"].bound_blocks}
        yield question.id, question.value, options


def parse_answers(quiz, data) -> dict[str, list[str]]:
    """Read ``question-<id>`` fields from POST data into {question id: [option ids]}.

    Every question must be answered with known option ids; a single-answer question takes
    exactly one. Anything else raises QuizInputError.
    """
    known = {question_id: (question, options) for question_id, question, options in questions_of(quiz)}
    submitted = {key[len(ANSWER_FIELD_PREFIX) :] for key in data if key.startswith(ANSWER_FIELD_PREFIX)}
    unknown = submitted - known.keys()
    if unknown:
        raise QuizInputError(_("The answers refer to a question that is not in this quiz."))
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


def grade(quiz, answers: dict[str, list[str]]) -> QuizResult:
    """Grade parsed answers: a question is correct when exactly its correct options were chosen."""
    result = QuizResult(pass_mark=quiz["pass_mark"])
    for question_id, question, options in questions_of(quiz):
        chosen_ids = answers.get(question_id, [])
        correct_ids = {option_id for option_id, option in options.items() if option["is_correct"]}
        result.questions.append(
            QuestionResult(
                question_id=question_id,
                prompt=question["prompt"],
                correct=set(chosen_ids) == correct_ids,
                chosen=[
                    {"text": options[option_id]["text"], "feedback": options[option_id]["feedback"]}
                    for option_id in chosen_ids
                    if option_id in options
                ],
                correct_options=[options[option_id]["text"] for option_id in options if option_id in correct_ids],
                explanation=question["explanation"],
            )
        )
    return result
