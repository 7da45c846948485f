"""Monthly tutor budgets per organisation: usage so far, what it costs, and whether a learner may ask.

Usage of an organisation in a calendar month (in ``settings.TIME_ZONE``) is what its members asked:
*questions* are the questions the tutor took on, counted by its replies that did not fail (a question
refused because the budget is used up, or lost to a model outage, cost nothing and does not count;
one being answered right now does), *tokens* are the prompt + completion tokens of the tutor's
replies. Counting replies rather than learner messages also lets the answering flow save the
question first and check the budget after, without the new question counting against itself.
Everyone with a membership counts (learners, teachers and admins alike), because the organisation
pays for every question asked under its name. Memberships are taken as they are now: someone who
joins mid-month brings that month's questions along, someone who leaves takes theirs away.

A person can belong to several organisations, and a question does not say on whose behalf it was
asked. Policy: **the question is counted in every organisation the asker belongs to, and the asker is
stopped as soon as any of those organisations with a budget has used it up.** That way no
organisation is ever charged beyond the budget it set, at the price of stopping a learner whose other
organisation still has room; the message names the exhausted organisation and when it resets.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import F, Func, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext, pgettext

from lessons.models import Membership, Organisation
from tutor.models import Message, OrganisationBudget


class BudgetExhausted(Exception):
    """Raised before a question is saved when an organisation's monthly budget is used up."""

    def __init__(self, message, organisation=None, resets_at=None):
        super().__init__(message)
        self.message = message
        self.organisation = organisation
        self.resets_at = resets_at


def month_window(now=None):
    """Start of the current calendar month and start of the next one (when budgets reset)."""
    local = timezone.localtime(now or timezone.now())
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    next_month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    return start, start.replace(year=next_month[0], month=next_month[1])


def _member_messages(since: datetime, until: datetime):
    """Messages this month in conversations of members of the outer Organisation row."""
    members = Membership.objects.filter(organisation=OuterRef(OuterRef("pk"))).values("user_id")
    return Message.objects.filter(
        conversation__user__in=members, created_at__gte=since, created_at__lt=until
    ).order_by()


def _total(queryset, expression, function):
    # A plain SQL aggregate over the subquery's rows; Func keeps Django from adding a GROUP BY.
    return Coalesce(
        Subquery(queryset.annotate(total=Func(expression, function=function)).values("total")[:1]),
        Value(0),
        output_field=IntegerField(),
    )


def with_month_usage(organisations, now=None):
    """Annotate organisations with ``questions_used``, ``prompt_tokens_used`` and ``completion_tokens_used``."""
    since, until = month_window(now)
    messages = _member_messages(since, until)
    return organisations.annotate(
        question_budget=F("tutor_budget__monthly_question_budget"),
        token_budget=F("tutor_budget__monthly_token_budget"),
        questions_used=_total(
            messages.filter(role=Message.Role.TUTOR).exclude(status=Message.Status.FAILED), F("id"), "COUNT"
        ),
        prompt_tokens_used=_total(messages, Coalesce(F("prompt_tokens"), 0), "SUM"),
        completion_tokens_used=_total(messages, Coalesce(F("completion_tokens"), 0), "SUM"),
    )


@dataclass(frozen=True)
class Usage:
    """One organisation's usage this month, with its budgets and cost, for the admin's usage page."""

    organisation: Organisation
    questions: int
    prompt_tokens: int
    completion_tokens: int
    since: datetime
    resets_at: datetime
    question_budget: int | None
    token_budget: int | None

    @property
    def tokens(self):
        return self.prompt_tokens + self.completion_tokens

    @property
    def cost(self) -> Decimal:
        prompt_price = Decimal(settings.TUTOR_PRICE_PER_1K_PROMPT_TOKENS)
        completion_price = Decimal(settings.TUTOR_PRICE_PER_1K_COMPLETION_TOKENS)
        cost = (self.prompt_tokens * prompt_price + self.completion_tokens * completion_price) / 1000
        return cost.quantize(Decimal("0.01"))

    @property
    def currency(self):
        return settings.TUTOR_PRICE_CURRENCY

    @property
    def exhausted_by(self):
        """``"questions"``, ``"tokens"`` or ``None``: which budget, if any, is used up."""
        if self.question_budget is not None and self.questions >= self.question_budget:
            return "questions"
        if self.token_budget is not None and self.tokens >= self.token_budget:
            return "tokens"
        return None


def _usage_of(organisation, now=None):
    since, resets_at = month_window(now)
    return Usage(
        organisation=organisation,
        questions=organisation.questions_used,
        prompt_tokens=organisation.prompt_tokens_used,
        completion_tokens=organisation.completion_tokens_used,
        since=since,
        resets_at=resets_at,
        question_budget=organisation.question_budget,
        token_budget=organisation.token_budget,
    )


def organisation_usage(organisation, now=None) -> Usage:
    annotated = with_month_usage(Organisation.objects.filter(pk=organisation.pk), now).get()
    return _usage_of(annotated, now)


def exhausted_message(usage: Usage) -> str:
    """What the learner reads when refused, in the active language (the request's)."""
    # Plural by the budget ("12 of 12 questions"); English says "questions" even for a budget of 1.
    if usage.exhausted_by == "questions":
        spent = ngettext(
            "%(used)d of %(budget)d questions", "%(used)d of %(budget)d questions", usage.question_budget
        ) % {"used": usage.questions, "budget": usage.question_budget}
    else:
        spent = ngettext("%(used)d of %(budget)d tokens", "%(used)d of %(budget)d tokens", usage.token_budget) % {
            "used": usage.tokens,
            "budget": usage.token_budget,
        }
    resets_on = date_format(usage.resets_at, pgettext("date format (Django date filter syntax): a long date", "j F Y"))
    return gettext(
        "The tutor budget of %(organisation)s for this month is used up (%(spent)s). "
        "You can ask the tutor again from %(date)s. "
        "Your lessons and quizzes are still open."
    ) % {"organisation": usage.organisation.name, "spent": spent, "date": resets_on}


def check_budget(user, now=None):
    """Raise BudgetExhausted if any budgeted organisation of ``user`` has used up this month's budget.

    One query: the user's organisations that have a budget, annotated with their usage.
    """
    budgeted = Organisation.objects.filter(
        Q(tutor_budget__monthly_question_budget__isnull=False) | Q(tutor_budget__monthly_token_budget__isnull=False),
        pk__in=Membership.objects.filter(user=user).values("organisation_id"),
    )
    for organisation in with_month_usage(budgeted, now):
        usage = _usage_of(organisation, now)
        if usage.exhausted_by:
            raise BudgetExhausted(exhausted_message(usage), organisation=organisation, resets_at=usage.resets_at)


def set_budgets(organisation, *, questions=None, tokens=None, clear=False):
    """Set an organisation's monthly budgets; ``None`` leaves one as it is, ``clear`` makes both unlimited."""
    budget, _ = OrganisationBudget.objects.get_or_create(organisation=organisation)
    if clear:
        budget.monthly_question_budget = budget.monthly_token_budget = None
    if questions is not None:
        budget.monthly_question_budget = questions
    if tokens is not None:
        budget.monthly_token_budget = tokens
    budget.save()
    return budget
