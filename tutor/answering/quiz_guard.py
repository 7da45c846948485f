"""Notice when a learner asks the tutor for the answers to a quiz they have not passed yet.

A quiz is *open* for a learner while the lesson has the quiz block and the learner has no passing
``QuizAttempt`` for it. A question *asks for its answers* when it names a question of the quiz by
number together with an answer word ("what's the answer to question 2", "mis on 2. küsimuse
vastus", "какой ответ на вопрос 2"), asks for the quiz's
answers or the correct option outright, or repeats most of a quiz question's prompt or an
option's text (a pasted question). Such questions are coached, not answered (see
``tutor.answering.prompts`` and ``tutor.answering.services``).

The check errs towards coaching: a learner whose real question happens to overlap a quiz prompt
still gets help, only Socratic help that points at the section, which is what the quiz is for.
"""

import re
from dataclasses import dataclass

from lessons.models import QuizAttempt

PROMPT_OVERLAP = 0.6  # share of a quiz prompt's content words found in the question
OPTION_OVERLAP = 0.75
MIN_SHARED_WORDS = 3

_WORD = re.compile(r"[^\W_]+")
# English, Estonian and Russian; the two inflected languages match on word stems.
_ANSWER_WORDS = (
    r"(?:answers?|correct|right|solutions?|options?|choose|choice|pick|tick|true|false"
    r"|vastus\w*|vastuse\w*|vastust|õige\w*|lahendus\w*|variant\w*|valik\w*"
    r"|ответ\w*|правильн\w*|верн\w*|решени\w*|вариант\w*)"
)
_QUESTION_WORDS = r"(?:question|q|task|exercise|küsimus\w*|ülesan\w*|вопрос\w*|задани\w*)"
_NUMBERED = re.compile(
    rf"\b(?:{_QUESTION_WORDS}|number|no\.?|nr\.?|#|№)\s*(?:nr\.?|№|номер)?\s*#?\s*(\d{{1,2}})\b"
    rf"|\b(\d{{1,2}})\s*\.?\s*-?(?:ой|ый|ий)?\s*{_QUESTION_WORDS}\b",
    re.IGNORECASE,
)
_ASKS_ANSWER = re.compile(rf"\b{_ANSWER_WORDS}\b", re.IGNORECASE)
_WHOLE_QUIZ = [
    re.compile(r"\b(?:answers?|solutions?)\b.{0,40}\b(?:quiz|test|questions?)\b", re.IGNORECASE),
    re.compile(r"\b(?:quiz|test)\b.{0,40}\b(?:answers?|solutions?)\b", re.IGNORECASE),
    re.compile(r"\bwhich (?:option|answer|one|choice)s? (?:is|are) (?:correct|right|true)\b", re.IGNORECASE),
    re.compile(r"\bis (?:the answer|it) (?:[a-d]|option [a-d])\b", re.IGNORECASE),
    re.compile(r"\b(?:vastus\w*|lahendus\w*)\b.{0,40}\b(?:test\w*|viktoriin\w*|küsimus\w*)", re.IGNORECASE),
    re.compile(r"\b(?:test\w*|viktoriin\w*)\b.{0,40}\b(?:vastus\w*|lahendus\w*)", re.IGNORECASE),
    re.compile(r"\bmis(?:sugune)?\b.{0,20}\b(?:vastus|variant)\w* on õige", re.IGNORECASE),
    re.compile(r"\bmilline\b.{0,20}\b(?:vastus|variant|valik)\w* on õige", re.IGNORECASE),
    re.compile(r"\b(?:ответ\w*|решени\w*)\b.{0,40}\b(?:тест\w*|викторин\w*|вопрос\w*)", re.IGNORECASE),
    re.compile(r"\b(?:тест\w*|викторин\w*)\b.{0,40}\b(?:ответ\w*|решени\w*)", re.IGNORECASE),
    re.compile(r"\bкакой\b.{0,20}\b(?:вариант|ответ)\w* (?:правильн|верн)\w*", re.IGNORECASE),
]
_STOPWORDS = frozenset(
    [
        "the",
        "and",
        "for",
        "are",
        "was",
        "were",
        "been",
        "its",
        "this",
        "that",
        "these",
        "those",
        "what",
        "which",
        "who",
        "whom",
        "how",
        "why",
        "when",
        "where",
        "does",
        "did",
        "can",
        "could",
        "would",
        "should",
        "will",
        "with",
        "from",
        "about",
        "into",
        "than",
        "then",
        "there",
        "their",
        "they",
        "them",
        "you",
        "your",
        "our",
        "not",
        "yes",
        "but",
        "all",
        "any",
        "some",
        "most",
        "more",
        "one",
        "two",
        # Estonian
        "mis",
        "kas",
        "see",
        "need",
        "ning",
        "või",
        "kui",
        "mida",
        "miks",
        "kuidas",
        "mille",
        "kes",
        "ega",
        "aga",
        "ka",
        "ole",
        "oli",
        # Russian
        "что",
        "как",
        "это",
        "для",
        "или",
        "если",
        "чем",
        "когда",
        "где",
        "почему",
        "какой",
        "какая",
        "какие",
        "так",
        "все",
        "был",
        "его",
        "она",
        "они",
    ]
)


@dataclass(frozen=True)
class QuizQuestion:
    number: int  # 1-based, as the learner sees it
    prompt: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class OpenQuiz:
    block_id: str
    title: str
    questions: tuple[QuizQuestion, ...]


@dataclass(frozen=True)
class QuizMatch:
    """A question that asks for an open quiz's answers; ``question`` when one quiz question is meant."""

    quiz: OpenQuiz
    question: QuizQuestion | None


def open_quizzes(lesson, user):
    """The lesson's quizzes this user has not passed yet (all of them for a user with no attempts)."""
    quiz_blocks = [block for block in lesson.body if block.block_type == "quiz"]
    if not quiz_blocks:
        return []
    passed = set(
        QuizAttempt.objects.filter(user=user, lesson_id=lesson.pk, passed=True).values_list("quiz_block_id", flat=True)
    )
    return [_open_quiz(block) for block in quiz_blocks if block.id not in passed]


def _open_quiz(block):
    questions = tuple(
        QuizQuestion(
            number=number,
            prompt=question["prompt"],
            options=tuple(option["text"] for option in question["options"]),
        )
        for number, question in enumerate(block.value["questions"], start=1)
    )
    return OpenQuiz(block_id=block.id, title=block.value["title"], questions=questions)


def quiz_answer_request(text, quizzes):
    """The open quiz (and question) ``text`` asks the answers of, or None."""
    if not quizzes:
        return None
    words = content_words(text)
    for quiz in quizzes:
        for question in quiz.questions:
            if _repeats(words, question.prompt, PROMPT_OVERLAP) or any(
                _repeats(words, option, OPTION_OVERLAP) for option in question.options
            ):
                return QuizMatch(quiz, question)
    if _ASKS_ANSWER.search(text):
        numbered = _NUMBERED.search(text)
        if numbered:
            number = int(numbered.group(1) or numbered.group(2))
            for quiz in quizzes:
                if 1 <= number <= len(quiz.questions):
                    return QuizMatch(quiz, quiz.questions[number - 1])
    if any(pattern.search(text) for pattern in _WHOLE_QUIZ):
        return QuizMatch(quizzes[0], None)
    return None


def _repeats(words, quiz_text, share):
    target = content_words(quiz_text)
    if len(target) < MIN_SHARED_WORDS:
        return False  # "Yes", "All of the above": too short to tell a pasted option from chance
    shared = len(words & target)
    return shared >= MIN_SHARED_WORDS and shared / len(target) >= share


def content_words(text):
    return {word for word in _WORD.findall(text.lower()) if len(word) > 2 and word not in _STOPWORDS}
