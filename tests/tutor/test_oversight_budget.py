"""Monthly tutor budgets per organisation: questions and tokens, month boundaries, the message, the usage page."""

import threading
import time
from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.factories import (
    GroupFactory,
    OrganisationFactory,
    UserFactory,
    member,
    org_admin,
    question,
    reply,
    with_budget,
)
from tutor.answering import conversations
from tutor.answering import services as answering
from tutor.models import Message, OrganisationBudget
from tutor.oversight.budgets import (
    BudgetExhausted,
    budgets_of,
    check_budget,
    month_window,
    organisation_usage,
    set_budgets,
)

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")
MID_NOVEMBER = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)


def learner_in(organisation, user=None):
    return member(GroupFactory(organisation=organisation), user=user)


def budget_of(organisation):
    budget = OrganisationBudget.objects.get(organisation=organisation)
    return budget.monthly_question_budget, budget.monthly_token_budget, budget.per_learner_monthly_tokens


def dated(message, when):
    Message.objects.filter(pk=message.pk).update(created_at=when)
    return message


def ask(user, times, when=MID_NOVEMBER):
    """``times`` questions the tutor answered, asked at ``when``."""
    for _ in range(times):
        asked = dated(question(user), when)
        dated(reply(asked), when)


@pytest.mark.parametrize("asked, blocked", [(2, False), (3, True), (4, True)])
def test_question_budget_under_at_and_over_the_limit(asked, blocked):
    school = with_budget(OrganisationFactory(name="Tamme School"), questions=3)
    learner = learner_in(school)
    ask(learner, asked)
    if not blocked:
        check_budget(learner, now=MID_NOVEMBER)
        return
    with pytest.raises(BudgetExhausted) as exhausted:
        check_budget(learner, now=MID_NOVEMBER)
    assert exhausted.value.message == (
        f"The tutor budget of Tamme School for this month is used up ({asked} of 3 questions). "
        "You can ask the tutor again from 1 December 2026. Your lessons and quizzes are still open."
    )
    assert exhausted.value.organisation == school
    assert exhausted.value.resets_at == datetime(2026, 12, 1, tzinfo=UTC)


@pytest.mark.parametrize("tokens, blocked", [(999, False), (1000, True), (1500, True)])
def test_token_budget_counts_prompt_and_completion_tokens(tokens, blocked):
    firm = with_budget(OrganisationFactory(name="Acme"), tokens=1000)
    learner = learner_in(firm)
    dated(reply(question(learner), prompt_tokens=tokens - 100, completion_tokens=100), MID_NOVEMBER)
    if blocked:
        with pytest.raises(BudgetExhausted, match=f"Acme .* used up \\({tokens} of 1000 tokens\\)"):
            check_budget(learner, now=MID_NOVEMBER)
    else:
        check_budget(learner, now=MID_NOVEMBER)


def test_everyone_in_the_organisation_shares_the_budget_and_outsiders_do_not_count():
    school = with_budget(OrganisationFactory(), questions=2)
    first, second, outsider = learner_in(school), learner_in(school), learner_in(OrganisationFactory())
    ask(first, 1)
    ask(outsider, 5)
    check_budget(second, now=MID_NOVEMBER)
    ask(second, 1)
    with pytest.raises(BudgetExhausted):
        check_budget(second, now=MID_NOVEMBER)
    with pytest.raises(BudgetExhausted):
        check_budget(first, now=MID_NOVEMBER)
    check_budget(outsider, now=MID_NOVEMBER)


def test_only_the_current_calendar_month_counts():
    school = with_budget(OrganisationFactory(), questions=2)
    learner = learner_in(school)
    ask(learner, 5, when=datetime(2026, 10, 31, 23, 59, 59, tzinfo=UTC))
    check_budget(learner, now=MID_NOVEMBER)

    ask(learner, 2, when=datetime(2026, 11, 1, 0, 0, tzinfo=UTC))
    with pytest.raises(BudgetExhausted):
        check_budget(learner, now=MID_NOVEMBER)
    # On the first of the next month the budget is fresh again.
    check_budget(learner, now=datetime(2026, 12, 1, 0, 0, tzinfo=UTC))


def test_december_resets_in_january():
    assert month_window(datetime(2026, 12, 31, 23, 0, tzinfo=UTC)) == (
        datetime(2026, 12, 1, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
    )


def test_a_learner_in_several_organisations_is_stopped_when_any_budget_is_used_up():
    generous = OrganisationFactory(name="Generous")
    strict = with_budget(OrganisationFactory(name="Strict"), questions=1)
    learner = learner_in(generous)
    learner_in(strict, user=learner)
    ask(learner, 1)
    with pytest.raises(BudgetExhausted, match="Strict"):
        check_budget(learner, now=MID_NOVEMBER)
    # The question counts in both organisations.
    assert organisation_usage(generous, now=MID_NOVEMBER).questions == 1
    assert organisation_usage(strict, now=MID_NOVEMBER).questions == 1


def test_the_question_being_checked_and_refused_questions_do_not_count():
    """The answering flow saves the question, then checks; refused questions get a failed reply."""
    school = with_budget(OrganisationFactory(), questions=2)
    learner = learner_in(school)
    ask(learner, 1)
    dated(question(learner), MID_NOVEMBER)  # saved, its reply not started yet
    check_budget(learner, now=MID_NOVEMBER)
    ask(learner, 1)
    for _ in range(3):
        dated(reply(question(learner), status=Message.Status.FAILED), MID_NOVEMBER)
    with pytest.raises(BudgetExhausted, match=r"\(2 of 2 questions\)"):
        check_budget(learner, now=MID_NOVEMBER)


def test_no_budget_or_no_organisation_means_no_limit():
    unlimited = OrganisationFactory()
    learner = learner_in(unlimited)
    ask(learner, 50)
    check_budget(learner, now=MID_NOVEMBER)


def test_admin_usage_page_shows_this_months_numbers_and_cost(client, settings):
    settings.TUTOR_PRICE_PER_1K_PROMPT_TOKENS = "0.50"
    settings.TUTOR_PRICE_PER_1K_COMPLETION_TOKENS = "1.50"
    settings.TUTOR_PRICE_CURRENCY = "EUR"
    school = with_budget(OrganisationFactory(), questions=100, tokens=50_000)
    learner = learner_in(school)
    reply(question(learner), prompt_tokens=3000, completion_tokens=600)
    reply(question(learner), prompt_tokens=1000, completion_tokens=400)
    reply(question(learner), status=Message.Status.FAILED)  # refused or lost: not a question used
    dated(reply(question(learner), prompt_tokens=90_000, completion_tokens=90_000), datetime(2020, 1, 5, tzinfo=UTC))
    reply(question(learner_in(OrganisationFactory())), prompt_tokens=7000, completion_tokens=7000)

    client.force_login(org_admin(school))
    response = client.get(reverse("tutor:oversight:usage", args=[school.slug]))
    usage = response.context["usage"]
    assert (usage.questions, usage.prompt_tokens, usage.completion_tokens, usage.tokens) == (2, 4000, 1000, 5000)
    page = response.content.decode()
    assert f"Tutor usage in {usage.since:%B %Y}" in page
    assert '<td data-usage="questions">2</td>' in page
    assert '<td data-usage="tokens">5000</td>' in page
    # 4 x 0.50 + 1 x 1.50
    assert '<td data-usage="cost">3.50 EUR</td>' in page
    assert "100" in page and "50000" in page
    assert '<td data-usage="per_learner_tokens">unlimited</td>' in page

    set_budgets(school, per_learner_tokens=8000)
    page = client.get(reverse("tutor:oversight:usage", args=[school.slug])).content.decode()
    assert '<td data-usage="per_learner_tokens">8000</td>' in page


def test_check_budget_costs_three_queries_however_many_organisations(django_assert_num_queries):
    learner = learner_in(with_budget(OrganisationFactory(), questions=10))
    for budget in (5, None):
        learner_in(with_budget(OrganisationFactory(), tokens=budget), user=learner)
    ask(learner, 3)
    with django_assert_num_queries(3):  # memberships, budgets, then every budgeted organisation's usage at once
        check_budget(learner, now=MID_NOVEMBER)


def test_nothing_to_check_reads_no_usage_and_takes_no_lock(settings, django_assert_num_queries):
    """A crowd outside organisations, or in ones without budgets, must not queue on a lock for nothing."""
    settings.TUTOR_SITE_MONTHLY_TOKENS = settings.TUTOR_SITE_PER_LEARNER_MONTHLY_TOKENS = None
    outsider, member = UserFactory(), learner_in(OrganisationFactory())
    ask(outsider, 2)

    with django_assert_num_queries(1) as outsider_queries:
        assert budgets_of(outsider, now=MID_NOVEMBER, lock=True) == []
    with django_assert_num_queries(2):
        assert budgets_of(member, now=MID_NOVEMBER, lock=True) == []
    assert "pg_advisory_xact_lock" not in outsider_queries.captured_queries[0]["sql"]

    settings.TUTOR_SITE_PER_LEARNER_MONTHLY_TOKENS = 10_000  # a site budget again: checked under its lock
    with django_assert_num_queries(3) as limited:
        [usage] = budgets_of(outsider, now=MID_NOVEMBER, lock=True)
    assert "pg_advisory_xact_lock" in limited.captured_queries[1]["sql"]
    assert usage.per_learner_tokens == 10_000


def run_budget_command(*args):
    out = StringIO()
    call_command("tutor_budget", *args, stdout=out)
    return out.getvalue()


def test_operator_sets_shows_and_clears_budgets_with_the_command():
    school = OrganisationFactory(name="Tamme School")
    learner = learner_in(school)
    ask(learner, 1, when=timezone.now())

    output = run_budget_command(school.slug, "--questions", "0", "--tokens", "5000", "--per-learner-tokens", "900")
    assert budget_of(school) == (0, 5000, 900)
    assert "questions answered: 1 of 0" in output
    assert "tokens: 0 of 5000" in output
    assert "tokens per learner: at most 900" in output
    with pytest.raises(BudgetExhausted):
        check_budget(learner)

    output = run_budget_command(school.slug, "--unlimited")
    assert budget_of(school) == (None, None, None)
    assert "questions answered: 1 of unlimited" in output
    check_budget(learner)


@pytest.mark.parametrize("args", [["no-such-school"], ["{slug}", "--questions", "-3"]])
def test_budget_command_rejects_bad_input(args):
    school = with_budget(OrganisationFactory(), questions=7)
    with pytest.raises(CommandError):
        call_command("tutor_budget", *[arg.format(slug=school.slug) for arg in args], stdout=StringIO())
    assert budget_of(school) == (7, None, None)


# Reservations, shares and the site budget


def test_a_question_is_refused_when_its_answer_could_overshoot_the_token_budget():
    firm = with_budget(OrganisationFactory(name="Acme"), tokens=10_000)
    learner = learner_in(firm)
    dated(reply(question(learner), prompt_tokens=5_000, completion_tokens=1_000), MID_NOVEMBER)

    check_budget(learner, now=MID_NOVEMBER, tokens=4_000)  # 6,000 used + at most 4,000: exactly fits
    with pytest.raises(BudgetExhausted, match=r"Acme .* used up \(6000 of 10000 tokens\)"):
        check_budget(learner, now=MID_NOVEMBER, tokens=4_001)


def test_a_pending_reply_holds_its_reservation_until_its_real_usage_replaces_it():
    firm = with_budget(OrganisationFactory(), tokens=10_000)
    learner = learner_in(firm)
    pending = dated(reply(question(learner), status=Message.Status.PENDING, reserved_tokens=8_000), MID_NOVEMBER)

    with pytest.raises(BudgetExhausted, match=r"\(8000 of 10000 tokens\)"):
        check_budget(learner, now=MID_NOVEMBER, tokens=4_000)

    Message.objects.filter(pk=pending.pk).update(
        status=Message.Status.INTERRUPTED, prompt_tokens=2_000, completion_tokens=500
    )
    check_budget(learner, now=MID_NOVEMBER, tokens=4_000)
    usage = organisation_usage(firm, now=MID_NOVEMBER)
    assert (usage.tokens, usage.reserved_tokens, usage.questions) == (2_500, 0, 1)


def test_an_organisation_caps_each_learners_share_of_its_budget():
    school = OrganisationFactory(name="Tamme School")
    set_budgets(school, tokens=1_000_000, per_learner_tokens=5_000)
    heavy, light = learner_in(school), learner_in(school)
    dated(reply(question(heavy), prompt_tokens=4_000, completion_tokens=500), MID_NOVEMBER)

    with pytest.raises(BudgetExhausted) as refused:
        check_budget(heavy, now=MID_NOVEMBER, tokens=1_000)

    assert refused.value.message == (
        "Your share of the tutor budget of Tamme School for this month is used up (4500 of 5000 tokens). "
        "You can ask the tutor again from 1 December 2026. Your lessons and quizzes are still open."
    )
    assert refused.value.organisation == school
    check_budget(heavy, now=MID_NOVEMBER, tokens=500)
    check_budget(light, now=MID_NOVEMBER, tokens=1_000)


def test_people_outside_any_organisation_share_the_site_budget(settings):
    settings.TUTOR_SITE_MONTHLY_TOKENS = 10_000
    settings.TUTOR_SITE_PER_LEARNER_MONTHLY_TOKENS = None
    first, second = UserFactory(), UserFactory()
    in_unbudgeted_school = learner_in(OrganisationFactory())
    dated(reply(question(first), prompt_tokens=7_000, completion_tokens=1_000), MID_NOVEMBER)
    dated(reply(question(in_unbudgeted_school), prompt_tokens=90_000, completion_tokens=0), MID_NOVEMBER)

    check_budget(second, now=MID_NOVEMBER, tokens=2_000)
    with pytest.raises(BudgetExhausted) as refused:
        check_budget(second, now=MID_NOVEMBER, tokens=2_001)

    assert refused.value.message == (
        "The tutor's budget for learners outside an organisation is used up for this month. "
        "You can ask the tutor again from 1 December 2026. Your lessons and quizzes are still open."
    )
    assert refused.value.organisation is None
    assert budgets_of(in_unbudgeted_school, now=MID_NOVEMBER) == []  # their organisation set no budget: unlimited


def test_the_site_caps_each_learners_share_and_an_empty_setting_is_unlimited(settings):
    settings.TUTOR_SITE_MONTHLY_TOKENS = None
    settings.TUTOR_SITE_PER_LEARNER_MONTHLY_TOKENS = 3_000
    heavy, light = UserFactory(), UserFactory()
    dated(reply(question(heavy), prompt_tokens=2_000, completion_tokens=500), MID_NOVEMBER)

    with pytest.raises(BudgetExhausted) as refused:
        check_budget(heavy, now=MID_NOVEMBER, tokens=501)

    assert refused.value.message == (
        "Your tutor budget for this month is used up (2500 of 3000 tokens). "
        "You can ask the tutor again from 1 December 2026. Your lessons and quizzes are still open."
    )
    check_budget(light, now=MID_NOVEMBER, tokens=3_000)


RACERS = 4
RACE_QUESTION = "Why do chatbots invent facts?"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("budget", ["organisation questions", "organisation tokens", "site tokens"])
def test_concurrent_questions_cannot_all_pass_when_only_one_fits(settings, monkeypatch, budget):
    """Real threads, each with its own database connection, race to reserve: exactly one wins.

    Writing the reservation is slowed down, so without the lock every racer would have checked
    before any had reserved: the test does not depend on lucky timing.
    """
    settings.TUTOR_CHAT_MODEL = "test-model"  # reserving needs no model server: only start() runs
    start_reply = conversations.start_reply

    def slow_start_reply(*args, **kwargs):
        time.sleep(0.3)
        return start_reply(*args, **kwargs)

    monkeypatch.setattr(conversations, "start_reply", slow_start_reply)
    lesson = f.lesson(f.course())
    room_for_one = answering.reserve_tokens(RACE_QUESTION) * 3 // 2
    if budget == "site tokens":
        settings.TUTOR_SITE_MONTHLY_TOKENS = room_for_one
        settings.TUTOR_SITE_PER_LEARNER_MONTHLY_TOKENS = None
        learners = [UserFactory() for _ in range(RACERS)]
    else:
        limits = {"questions": 1} if budget == "organisation questions" else {"tokens": room_for_one}
        school = with_budget(OrganisationFactory(), **limits)
        learners = [learner_in(school) for _ in range(RACERS)]
    start_together = threading.Barrier(RACERS)
    outcomes = []

    def ask(learner):
        try:
            start_together.wait(timeout=30)
            answering.start(learner, lesson, RACE_QUESTION)
            outcomes.append("answered")
        except BudgetExhausted:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(learner,)) for learner in learners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["answered"] + ["refused"] * (RACERS - 1)
    replies = Message.objects.filter(role=Message.Role.TUTOR)
    assert replies.filter(status=Message.Status.PENDING).count() == 1
    assert replies.filter(status=Message.Status.FAILED).count() == RACERS - 1
