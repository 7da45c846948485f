"""Each attempt is drawn for its learner, stored as shown, and limited as its author chose."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from lessons.learning.selectors import next_attempt
from lessons.learning.services import enrol
from lessons.models import LessonProgress, QuizAttempt
from tests.factories import UserFactory, course, lesson, paragraph, quiz, quiz_block, right_answers

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
OPTIONS = ["alpha", "bravo", "charlie", "delta", "echo"]


def pool(size=6, pinned_last=False, **settings):
    """``size`` one-answer questions "Q0".."Qn"; the right option of each is "alpha"."""
    options = [(text, text == "alpha", f"feedback on {text}") for text in OPTIONS]
    if pinned_last:
        options.append(("None of the above", False, "", True))
    return quiz([(f"Q{n}", "single", options, f"Why Q{n}") for n in range(size)], **settings)


def quiz_world(quiz_spec):
    page = course()
    quiz_lesson = lesson(page, title="Drawn", body=[paragraph("<p>Read me.</p>"), quiz_spec])
    return page, quiz_lesson


def learner_in(page, username):
    user = UserFactory(username=username)
    enrol(user=user, course=page)
    client = Client()
    client.force_login(user)
    return user, client


def shown_order(html):
    """[(question prompt, [option texts])] in the order the quiz form shows them."""
    questions = re.findall(r"<legend>\d+\. (Q\d+).*?</legend>(.*?)</fieldset>", html, re.S)
    return [(prompt, re.findall(r"<label[^>]*>([^<]+)</label>", body)) for prompt, body in questions]


def quiz_url(quiz_lesson):
    return reverse("lessons:quiz", args=[quiz_lesson.id, quiz_block(quiz_lesson).id])


def test_two_learners_get_different_option_orders_and_a_reload_keeps_the_draw():
    page, quiz_lesson = quiz_world(pool())
    _ann, ann = learner_in(page, "ann")
    _ben, ben = learner_in(page, "ben")
    ann_order = shown_order(ann.get(quiz_lesson.url).content.decode())
    ben_order = shown_order(ben.get(quiz_lesson.url).content.decode())
    assert len(ann_order) == 6 and all(sorted(options) == sorted(OPTIONS) for _p, options in ann_order)
    assert ann_order != ben_order
    assert shown_order(ann.get(quiz_lesson.url).content.decode()) == ann_order


def test_the_first_option_is_right_about_a_fifth_of_the_time_across_learners_and_attempts():
    page, quiz_lesson = quiz_world(pool(size=6))
    value = quiz_block(quiz_lesson).value
    firsts = []
    for n in range(20):
        user = UserFactory(username=f"learner-{n}")
        layout = next_attempt(user, quiz_lesson, quiz_block(quiz_lesson).id, value).layout
        options = {
            o.id: o.value["text"] for q in value["questions"].bound_blocks for o in q.value["options"].bound_blocks
        }
        firsts += [options[entry["options"][0]] == "alpha" for entry in layout]
    # 120 draws of 5 options: a fair shuffle puts the right one first ~24 times; file order would give 120.
    assert 8 <= sum(firsts) <= 45


def test_a_pinned_option_keeps_its_place():
    page, quiz_lesson = quiz_world(pool(size=3, pinned_last=True))
    block = quiz_block(quiz_lesson)
    pinned_id = block.value["questions"].bound_blocks[0].value["options"].bound_blocks[-1].id
    for n in range(10):
        layout = next_attempt(UserFactory(username=f"p{n}"), quiz_lesson, block.id, block.value).layout
        assert layout[0]["options"][-1] == pinned_id


def test_the_attempt_stores_what_was_shown_and_the_review_lists_options_in_that_order():
    page, quiz_lesson = quiz_world(pool(size=2))
    user, client = learner_in(page, "cai")
    shown = shown_order(client.get(quiz_lesson.url).content.decode())
    response = client.post(quiz_url(quiz_lesson), right_answers(user, quiz_lesson, quiz_block(quiz_lesson)))
    attempt = QuizAttempt.objects.get(user=user)
    assert response.status_code == 302 and response.url == reverse("lessons:quiz_attempt", args=[attempt.id])
    texts = {
        o.id: o.value["text"]
        for q in quiz_block(quiz_lesson).value["questions"].bound_blocks
        for o in q.value["options"].bound_blocks
    }
    assert [[texts[option] for option in entry["options"]] for entry in attempt.layout] == [o for _p, o in shown]
    review = client.get(response.url).content.decode()
    for prompt, options in shown:
        section = review[review.index(prompt) :]
        positions = [section.index(text) for text in options]
        assert positions == sorted(positions), f"{prompt}: review order differs from what was shown"


def test_a_pool_draws_the_author_chosen_number_and_refuses_answers_to_other_questions():
    page, quiz_lesson = quiz_world(pool(size=5, questions_per_attempt=2))
    user, client = learner_in(page, "dan")
    shown = shown_order(client.get(quiz_lesson.url).content.decode())
    assert len(shown) == 2
    html = client.get(quiz_lesson.url).content.decode()
    assert "Each attempt asks 2 of 5 questions" in html

    block = quiz_block(quiz_lesson)
    drawn = {entry["question"] for entry in next_attempt(user, quiz_lesson, block.id, block.value).layout}
    other = next(q for q in block.value["questions"].bound_blocks if q.id not in drawn)
    data = right_answers(user, quiz_lesson, block)
    data.setlist(f"question-{other.id}", [other.value["options"].bound_blocks[0].id])
    refused = client.post(quiz_url(quiz_lesson), data, **HTMX)
    assert refused.status_code == 400 and "earlier draw" in refused.content.decode()
    assert not QuizAttempt.objects.exists()

    sets = set()
    for _attempt in range(6):
        layout = next_attempt(user, quiz_lesson, block.id, block.value).layout
        sets.add(frozenset(entry["question"] for entry in layout))
        client.post(quiz_url(quiz_lesson), right_answers(user, quiz_lesson, block))
    assert len(sets) > 1, "every attempt drew the same questions"
    assert QuizAttempt.objects.filter(user=user, question_count=2).count() == 6


def wrong_answers(user, quiz_lesson):
    data = right_answers(user, quiz_lesson, quiz_block(quiz_lesson))
    block = quiz_block(quiz_lesson)
    for question in block.value["questions"].bound_blocks:
        key = f"question-{question.id}"
        if key in data:
            data.setlist(key, [question.value["options"].bound_blocks[1].id])  # "bravo": wrong
    return data


def test_a_cooldown_refuses_a_retry_after_a_fail_until_it_ends():
    page, quiz_lesson = quiz_world(pool(size=2, cooldown_minutes=10))
    user, client = learner_in(page, "eve")
    client.post(quiz_url(quiz_lesson), wrong_answers(user, quiz_lesson))
    form = client.get(quiz_lesson.url).content.decode()
    assert "you can try again at" in form and "disabled" in form

    refused = client.post(quiz_url(quiz_lesson), right_answers(user, quiz_lesson, quiz_block(quiz_lesson)), **HTMX)
    assert refused.status_code == 429 and "You can try this quiz again at" in refused.content.decode()
    assert QuizAttempt.objects.filter(user=user).count() == 1

    QuizAttempt.objects.filter(user=user).update(
        submitted_at=QuizAttempt.objects.get().submitted_at - timedelta(minutes=11)
    )
    allowed = client.post(quiz_url(quiz_lesson), right_answers(user, quiz_lesson, quiz_block(quiz_lesson)))
    assert allowed.status_code == 302 and QuizAttempt.objects.filter(user=user, passed=True).exists()


def test_attempts_beyond_the_maximum_are_practice_and_do_not_complete_the_lesson():
    page, quiz_lesson = quiz_world(pool(size=2, max_attempts=1))
    user, client = learner_in(page, "fay")
    client.get(quiz_lesson.url)
    assert "1 attempt left that counts towards your record" in client.get(quiz_lesson.url).content.decode()
    client.post(quiz_url(quiz_lesson), wrong_answers(user, quiz_lesson))
    assert "Practice attempt" in client.get(quiz_lesson.url).content.decode()
    client.post(quiz_url(quiz_lesson), right_answers(user, quiz_lesson, quiz_block(quiz_lesson)))
    practice = QuizAttempt.objects.filter(user=user).first()
    assert practice.passed and not practice.counts_towards_record
    assert LessonProgress.objects.get(user=user, lesson=quiz_lesson).completed_at is None


def test_passing_over_htmx_also_refreshes_the_lesson_progress_panel():
    page, quiz_lesson = quiz_world(pool(size=2))
    user, client = learner_in(page, "gus")
    before = client.get(quiz_lesson.url).content.decode()
    assert 'id="lesson-learning-panel"' in before and "0 of 1" in before
    swap = client.post(quiz_url(quiz_lesson), right_answers(user, quiz_lesson, quiz_block(quiz_lesson)), **HTMX)
    html = swap.content.decode()
    panel = html[html.index('id="lesson-learning-panel"') :]
    assert re.search(r'<aside id="lesson-learning-panel"[^>]*hx-swap-oob="true"', html)
    assert "Lesson complete." in panel and "1 of 1" in panel
