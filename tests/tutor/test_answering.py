"""The answering service end to end: real retrieval on pgvector, the real openai SDK, the fake server."""

import pytest
from asgiref.sync import async_to_sync

from lessons.models import Membership, Organisation, QuizAttempt
from tests import factories as f
from tests.fake_openai import DEFAULT_REPLY, closed_port_url
from tests.tutor.conftest import QUIZ_EXPLANATION, QUIZ_RIGHT, TEACHER_SECRET, drain
from tutor.answering import llm
from tutor.answering import services as answering
from tutor.indexing.chunking import count_tokens
from tutor.models import Message, SafetyFlag
from tutor.oversight import budgets

pytestmark = pytest.mark.django_db

QUESTION = "Why do chatbots invent facts?"


def run(user, lesson, question=QUESTION):
    answer = answering.start(user, lesson, question)
    return answer, drain(answer.events())


def names(events):
    return [event.name for event in events]


def prompt_text(fake):
    (request,) = fake.chat_requests()
    return "\n".join(message["content"] for message in request["json"]["messages"])


def test_a_streamed_answer_is_saved_with_sources_tokens_model_and_latency(chat_model, lesson, student):
    answer, events = run(student, lesson)

    assert names(events)[0] == "meta" and names(events)[-2:] == ["sources", "done"]
    tokens = [event.data["text"] for event in events if event.name == "token"]
    assert len(tokens) > 1 and "".join(tokens) == DEFAULT_REPLY
    question, reply = Message.objects.filter(conversation__user=student).order_by("id")
    assert (question.role, question.text) == ("learner", QUESTION)
    assert (reply.role, reply.status, reply.mode, reply.model) == ("tutor", "complete", "llm", "test-model")
    assert reply.text == DEFAULT_REPLY
    assert reply.completion_tokens == len(tokens) and reply.prompt_tokens > 0
    assert reply.latency_ms is not None
    assert reply.sources[0] == {
        "number": 1,
        "url": "/en/courses/ai-basics/chatbots-and-facts/#hallucinations",
        "title": "Chatbots and facts",
        "section": "Hallucinations",
        "language": "en",
    }
    assert events[-2].data["sources"] == reply.sources
    done = events[-1].data
    assert done["status"] == "complete"
    assert 'href="/en/courses/ai-basics/chatbots-and-facts/#hallucinations"' in done["html"]
    assert events[0].data == {
        "conversation": reply.conversation_id,
        "question": question.id,
        "reply": reply.id,
        "offline": False,
    }


def test_the_prompt_carries_the_lesson_text_but_never_teacher_notes_or_quiz_answers_for_a_student(
    chat_model, lesson, student
):
    run(student, lesson)

    prompt = prompt_text(chat_model)
    assert "an invented article cannot be found anywhere" in prompt
    assert "Style: Socratic" in prompt
    assert TEACHER_SECRET not in prompt
    assert QUIZ_RIGHT not in prompt and QUIZ_EXPLANATION not in prompt


def test_a_teacher_gets_the_direct_style(chat_model, lesson):
    run(f.teacher(), lesson)

    assert "Style: direct" in prompt_text(chat_model)


def test_a_follow_up_question_sends_the_earlier_turns(chat_model, lesson, student):
    run(student, lesson)
    chat_model.requests.clear()

    run(student, lesson, "Can you say that more simply?")

    (request,) = chat_model.chat_requests()
    roles = [(message["role"], message["content"]) for message in request["json"]["messages"][1:3]]
    assert roles == [("user", QUESTION), ("assistant", DEFAULT_REPLY)]
    assert Message.objects.filter(conversation__user=student).values("conversation").distinct().count() == 1


@pytest.mark.parametrize(
    "failures, learner_message",
    [
        (["429", "429", "429"], llm.BUSY),
        (["500", "500", "500"], llm.UNREACHABLE),
        (["slow"], llm.UNREACHABLE),
        (["malformed"], llm.CUT_OFF),
        (["break"], llm.CUT_OFF),
    ],
)
def test_a_failing_endpoint_gives_a_clear_message_and_keeps_the_question(
    chat_model, pauses, settings, lesson, student, failures, learner_message
):
    if failures == ["slow"]:
        settings.TUTOR_LLM_MAX_RETRIES = 0
    chat_model.fail_next(*failures)

    answer, events = run(student, lesson)

    assert names(events)[0] == "meta" and names(events)[-1] == "error"
    assert events[-1].data["message"] == learner_message
    assert Message.objects.get(pk=answer.question.pk).text == QUESTION
    reply = Message.objects.get(pk=answer.reply.pk)
    assert reply.status == Message.Status.FAILED
    assert reply.error
    streamed = "".join(event.data["text"] for event in events if event.name == "token")
    assert reply.text == streamed  # a broken stream keeps what the learner already saw
    if streamed:  # it started, so it cost its prompt and what it wrote: estimated, as no usage came
        assert reply.prompt_tokens > 0 and reply.completion_tokens == count_tokens(streamed)
    else:  # refused or timed out before it started: nothing to pay
        assert (reply.prompt_tokens, reply.completion_tokens) == (None, None)


def test_endpoint_down(chat_model, pauses, settings, lesson, student):
    settings.OPENAI_BASE_URL = closed_port_url()

    answer, events = run(student, lesson)

    assert events[-1].name == "error" and events[-1].data["message"] == llm.UNREACHABLE
    reply = Message.objects.get(pk=answer.reply.pk)
    assert (reply.status, reply.text) == (Message.Status.FAILED, "")
    assert "APIConnectionError" in reply.error


def test_a_learner_who_leaves_mid_stream_gets_the_partial_answer_saved_as_interrupted(chat_model, lesson, student):
    answer = answering.start(student, lesson, QUESTION)
    received = []

    async def leave_after_two_tokens():
        events = answer.events()
        async for event in events:
            if event.name == "token":
                received.append(event.data["text"])
                if len(received) == 2:
                    break
        await events.aclose()  # what Django's WSGI side does when the client disconnects (ASGI cancels: test_views)

    async_to_sync(leave_after_two_tokens)()

    reply = Message.objects.get(pk=answer.reply.pk)
    assert reply.status == Message.Status.INTERRUPTED
    assert reply.text == "".join(received) and reply.text and reply.text != DEFAULT_REPLY
    # The tokens used so far count against the budget (estimated: the usage chunk never came).
    assert reply.prompt_tokens > 0 and reply.completion_tokens == count_tokens(reply.text)


def test_an_open_quiz_is_coached_not_answered_by_the_model(chat_model, lesson, student):
    answer, events = run(student, lesson, "What's the answer to question 1 of the quiz?")

    prompt = prompt_text(chat_model)
    assert "Coaching mode" in prompt and "Do NOT give the answer" in prompt
    assert QUIZ_RIGHT not in prompt and QUIZ_EXPLANATION not in prompt
    assert Message.objects.get(pk=answer.reply.pk).mode == Message.Mode.COACHING


def test_an_open_quiz_is_coached_offline_too(offline, lesson, student):
    answer, events = run(student, lesson, "What's the answer to question 1?")

    reply = Message.objects.get(pk=answer.reply.pk)
    assert reply.mode == Message.Mode.COACHING
    assert "won't give you the answer" in reply.text
    assert "**Hallucinations** [1]" in reply.text
    assert reply.sources[0]["url"].endswith("#hallucinations")
    assert QUIZ_RIGHT.lower() not in reply.text.lower()


def test_once_the_quiz_is_passed_the_same_question_is_not_coached(offline, lesson, student):
    block = next(block for block in lesson.body if block.block_type == "quiz")
    QuizAttempt.objects.create(user=student, lesson=lesson, quiz_block_id=block.id, passed=True)

    answer, _ = run(student, lesson, "What's the answer to question 1?")

    assert Message.objects.get(pk=answer.reply.pk).mode == Message.Mode.EXCERPTS


def test_offline_answers_are_labelled_course_excerpts_with_links(offline, fake_openai, lesson, student):
    answer, events = run(student, lesson)

    reply = Message.objects.get(pk=answer.reply.pk)
    assert (reply.mode, reply.model, reply.status) == ("excerpts", "", "complete")
    assert reply.text.startswith("**Course excerpts**")
    assert "invent facts and citations" in reply.text and "[1]" in reply.text
    assert events[0].data["offline"] is True
    html = events[-1].data["html"]
    assert "<strong>Course excerpts</strong>" in html
    assert 'href="/en/courses/ai-basics/chatbots-and-facts/#hallucinations"' in html
    assert fake_openai.requests == []


def test_offline_says_plainly_when_the_course_does_not_cover_it(offline, lesson, student):
    answer, _ = run(student, lesson, "What is a good recipe for lasagne with spinach?")

    reply = Message.objects.get(pk=answer.reply.pk)
    assert reply.text == answering.NOT_COVERED
    assert reply.sources == []


def test_an_exhausted_budget_refuses_but_keeps_the_question(chat_model, lesson, student):
    school = f.with_budget(Organisation.objects.create(name="School", slug="school", kind="school"), questions=0)
    Membership.objects.create(user=student, organisation=school, role=Membership.Role.LEARNER)

    with pytest.raises(budgets.BudgetExhausted) as raised:
        answering.start(student, lesson, QUESTION)

    question, reply = Message.objects.filter(conversation__user=student).order_by("id")
    assert question.text == QUESTION
    assert (reply.status, reply.error) == (Message.Status.FAILED, raised.value.message)
    assert chat_model.chat_requests() == []


def test_questions_are_screened_for_safety(chat_model, lesson, student):
    answer, _ = run(student, lesson, "My phone number is +372 5555 1234, why do chatbots invent facts?")

    assert SafetyFlag.objects.filter(message=answer.question, category="personal_data").exists()


def test_an_answer_still_streaming_at_the_deadline_is_cut_short_saved_counted_and_marked(
    chat_model, settings, client, lesson, student
):
    settings.TUTOR_ANSWER_DEADLINE_SECONDS = 4.0  # retrieval comes first; the endless stream then runs into it
    chat_model.fail_next("endless")

    answer, events = run(student, lesson)

    assert names(events)[-2:] == ["sources", "done"] and events[-1].data["status"] == "interrupted"
    streamed = "".join(event.data["text"] for event in events if event.name == "token")
    reply = Message.objects.get(pk=answer.reply.pk)
    assert (reply.status, reply.text) == (Message.Status.INTERRUPTED, streamed) and streamed
    assert "4 s deadline" in reply.error
    assert reply.sources and reply.prompt_tokens > 0 and reply.completion_tokens == count_tokens(streamed)
    assert 4.0 <= reply.latency_ms / 1000 < 10
    client.force_login(student)
    panel = client.get(f"/en/tutor/lessons/{lesson.pk}/conversation/").content.decode()
    assert "This answer was interrupted before it finished." in panel


def test_an_answer_that_reaches_max_tokens_is_kept_and_marked_cut_short(chat_model, settings, lesson, student):
    settings.TUTOR_MAX_ANSWER_TOKENS = 3

    answer, events = run(student, lesson)

    (request,) = chat_model.chat_requests()
    assert request["json"]["max_tokens"] == 3
    reply = Message.objects.get(pk=answer.reply.pk)
    assert (reply.status, reply.completion_tokens) == (Message.Status.INTERRUPTED, 3)
    assert "3 answer tokens" in reply.error and DEFAULT_REPLY.startswith(reply.text)
    assert events[-1].data["status"] == "interrupted"


def test_the_reservation_holds_while_answering_and_the_real_usage_replaces_it(chat_model, lesson, student):
    answer = answering.start(student, lesson, QUESTION)

    pending = Message.objects.get(pk=answer.reply.pk)
    assert (pending.status, pending.reserved_tokens) == ("pending", answering.reserve_tokens(QUESTION))
    (site,) = budgets.budgets_of(student)  # no organisation: the site budget
    assert (site.reserved_tokens, site.learner_tokens) == (pending.reserved_tokens, pending.reserved_tokens)

    drain(answer.events())

    reply = Message.objects.get(pk=answer.reply.pk)
    (site,) = budgets.budgets_of(student)
    assert site.reserved_tokens == 0
    assert site.tokens == site.learner_tokens == reply.prompt_tokens + reply.completion_tokens > 0


def test_a_token_budget_without_room_for_the_largest_answer_refuses_before_the_model_is_asked(
    chat_model, lesson, student
):
    school = f.with_budget(Organisation.objects.create(name="School", slug="school", kind="school"), tokens=1000)
    Membership.objects.create(user=student, organisation=school, role=Membership.Role.LEARNER)

    with pytest.raises(budgets.BudgetExhausted, match=r"School .* \(0 of 1000 tokens\)"):
        answering.start(student, lesson, QUESTION)

    assert chat_model.chat_requests() == []
