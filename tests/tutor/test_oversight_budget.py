"""Monthly tutor budgets per organisation: questions and tokens, month boundaries, the message, the usage page."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from tests.factories import GroupFactory, OrganisationFactory, member, org_admin, question, reply, with_budget
from tutor.models import Message, OrganisationBudget
from tutor.oversight.budgets import BudgetExhausted, check_budget, month_window, organisation_usage

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")
MID_NOVEMBER = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)


def learner_in(organisation, user=None):
    return member(GroupFactory(organisation=organisation), user=user)


def budget_of(organisation):
    budget = OrganisationBudget.objects.get(organisation=organisation)
    return budget.monthly_question_budget, budget.monthly_token_budget


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


def test_check_budget_costs_one_query_however_many_organisations(django_assert_num_queries):
    learner = learner_in(with_budget(OrganisationFactory(), questions=10))
    for budget in (5, None):
        learner_in(with_budget(OrganisationFactory(), tokens=budget), user=learner)
    ask(learner, 3)
    with django_assert_num_queries(1):
        check_budget(learner, now=MID_NOVEMBER)


def run_budget_command(*args):
    out = StringIO()
    call_command("tutor_budget", *args, stdout=out)
    return out.getvalue()


def test_operator_sets_shows_and_clears_budgets_with_the_command():
    school = OrganisationFactory(name="Tamme School")
    learner = learner_in(school)
    ask(learner, 1, when=timezone.now())

    output = run_budget_command(school.slug, "--questions", "0", "--tokens", "5000")
    assert budget_of(school) == (0, 5000)
    assert "questions answered: 1 of 0" in output
    assert "tokens: 0 of 5000" in output
    with pytest.raises(BudgetExhausted):
        check_budget(learner)

    output = run_budget_command(school.slug, "--unlimited")
    assert budget_of(school) == (None, None)
    assert "questions answered: 1 of unlimited" in output
    check_budget(learner)


@pytest.mark.parametrize("args", [["no-such-school"], ["{slug}", "--questions", "-3"]])
def test_budget_command_rejects_bad_input(args):
    school = with_budget(OrganisationFactory(), questions=7)
    with pytest.raises(CommandError):
        call_command("tutor_budget", *[arg.format(slug=school.slug) for arg in args], stdout=StringIO())
    assert budget_of(school) == (7, None)
