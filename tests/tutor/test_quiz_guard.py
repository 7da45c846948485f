"""Which questions ask for the answers of a quiz the learner has open."""

import pytest

from lessons.models import QuizAttempt
from tests.tutor.conftest import QUIZ_PROMPT, QUIZ_RIGHT
from tutor.answering.quiz_guard import open_quizzes, quiz_answer_request

pytestmark = pytest.mark.django_db


def attempt(student, lesson, passed):
    block = next(block for block in lesson.body if block.block_type == "quiz")
    QuizAttempt.objects.create(user=student, lesson=lesson, quiz_block_id=block.id, passed=passed)


def test_a_quiz_is_open_until_the_learner_passes_it(lesson, student):
    (quiz,) = open_quizzes(lesson, student)
    assert quiz.title == "Spot the invention"
    assert quiz.questions[0].prompt == QUIZ_PROMPT

    attempt(student, lesson, passed=False)
    assert len(open_quizzes(lesson, student)) == 1

    attempt(student, lesson, passed=True)
    assert open_quizzes(lesson, student) == []


@pytest.mark.parametrize(
    "question",
    [
        "What's the answer to question 1?",
        "which option is correct for Q1",
        "Can you give me the quiz answers please",
        QUIZ_PROMPT,
        "is it 'the cited article cannot be found anywhere'?",
        "which of these is the best sign a chatbot invented a source",
        # Estonian
        "Mis on 1. küsimuse vastus?",
        "milline variant on õige küsimuses 1",
        "anna palun testi vastused",
        # Russian
        "Какой ответ на вопрос 1?",
        "какой вариант правильный",
        "скинь ответы на тест пожалуйста",
    ],
)
def test_questions_asking_for_the_answers_are_recognised(lesson, student, question):
    match = quiz_answer_request(question, open_quizzes(lesson, student))

    assert match is not None
    assert match.quiz.title == "Spot the invention"


def test_the_matched_question_is_named(lesson, student):
    match = quiz_answer_request(QUIZ_RIGHT + "?", open_quizzes(lesson, student))

    assert match.question.number == 1


@pytest.mark.parametrize("question", ["Mis on 1. küsimuse õige vastus?", "Какой правильный ответ на 1 вопрос?"])
def test_a_numbered_question_is_named_in_estonian_and_russian(lesson, student, question):
    assert quiz_answer_request(question, open_quizzes(lesson, student)).question.number == 1


@pytest.mark.parametrize(
    "question",
    [
        "How does a spam filter learn?",
        "Why do chatbots hallucinate?",
        "What is question answering in AI?",
        "Kuidas rämpsposti filter õpib?",
        "Miks juturobot vahel fakte välja mõtleb?",
        "Как спам-фильтр учится?",
        "Почему чат-бот выдумывает факты?",
    ],
)
def test_ordinary_questions_are_answered(lesson, student, question):
    assert quiz_answer_request(question, open_quizzes(lesson, student)) is None


def test_nothing_is_coached_once_the_quiz_is_passed(lesson, student):
    attempt(student, lesson, passed=True)

    assert quiz_answer_request("What's the answer to question 1?", open_quizzes(lesson, student)) is None
