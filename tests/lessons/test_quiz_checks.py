"""Authors are warned, in the loader and in the editor, about answer patterns a learner could guess from."""

import shutil

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.management import call_command
from wagtail import hooks

from lessons.authoring.quiz_checks import quiz_warnings
from lessons.blocks import QuizBlock
from lessons.curriculum.reader import CURRICULUM_ROOT
from tests.factories import course, lesson, quiz


def value(spec):
    return QuizBlock().to_python(spec[1])


def single(prompt, right_at, texts=("short", "medium one", "the longest option of all")):
    return (prompt, "single", [(text, index == right_at, "") for index, text in enumerate(texts)], "")


def multiple(prompt, rights):
    return (prompt, "multiple", [(f"option {n}", right, "") for n, right in enumerate(rights)], "")


def test_right_answer_always_first_and_longest_is_reported():
    biased = value(quiz([single(f"Q{n}", 0, ("the longest right answer here", "short", "tiny")) for n in range(4)]))
    warnings = quiz_warnings(biased)
    assert "The right answer is option 1 in 4 of 4 one-answer questions." in warnings
    assert "The right answer is the longest option in 4 of 4 one-answer questions." in warnings


def test_a_varied_quiz_gets_no_warning():
    varied = value(
        quiz(
            [
                single("Q0", 0, ("right", "a wrong one", "another")),
                single("Q1", 1, ("a wrong one", "right", "longest wrong option")),
                single("Q2", 2, ("longest wrong option", "no", "right")),
                multiple("M0", [True, False, False]),
                multiple("M1", [False, True, True]),
                multiple("M2", [True, True, True]),
            ]
        )
    )
    assert quiz_warnings(varied) == []


def test_multi_answer_questions_with_the_same_shape_are_reported():
    same = value(quiz([multiple(f"M{n}", [True, True, True, False]) for n in range(3)]))
    warnings = quiz_warnings(same)
    assert any("3 right options out of 4" in warning for warning in warnings)
    assert "The first option is right in every multi-answer question." in warnings


@pytest.mark.django_db
def test_the_loader_reports_the_warnings_of_a_biased_quiz(tmp_path, capsys):
    root = tmp_path / "curriculum"
    shutil.copytree(CURRICULUM_ROOT / "en" / "ai-at-work", root / "en" / "ai-at-work")
    shutil.copy(CURRICULUM_ROOT / "en" / "site.toml", root / "en" / "site.toml")
    lesson_file = sorted((root / "en" / "ai-at-work").glob("01-*.toml"))[0]
    biased_questions = "".join(
        f"""
[[body.questions]]
prompt = "Biased question {n}"
kind = "single"

[[body.questions.options]]
text = "The right answer, written out at great length"
correct = true

[[body.questions.options]]
text = "Wrong"
correct = false

[[body.questions.options]]
text = "Also wrong"
correct = false
"""
        for n in range(3)
    )
    lesson_file.write_text(
        lesson_file.read_text() + '\n[[body]]\ntype = "quiz"\ntitle = "Biased quiz"\n' + biased_questions
    )
    call_command("load_demo_curriculum", directory=root)
    out = capsys.readouterr().out
    assert "quiz check:" in out
    assert "Biased quiz: The right answer is option 1 in 3 of 3 one-answer questions." in out


@pytest.mark.django_db
def test_the_editor_shows_the_warnings_after_saving(rf, admin_user):
    page = course()
    biased = lesson(page, body=[quiz([single(f"Q{n}", 0, ("a long right answer", "no", "nah")) for n in range(3)])])
    request = rf.post("/admin/pages/edit/")
    request.user = admin_user
    request.session = {}
    request._messages = FallbackStorage(request)
    for hook in hooks.get_hooks("after_edit_page"):
        hook(request, biased)
    shown = [str(message) for message in get_messages(request)]
    assert "Check your understanding: The right answer is option 1 in 3 of 3 one-answer questions." in shown
