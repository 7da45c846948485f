"""Monthly tutor budgets: usage so far, what it costs, and reserving room for a learner's question.

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
stopped as soon as any of those organisations with a budget has no room left.** That way no
organisation is ever charged beyond the budget it set, at the price of stopping a learner whose other
organisation still has room; the message names the exhausted organisation and when it resets. An
organisation may also cap one member's tokens per month (``per_learner_monthly_tokens``), so one
learner cannot spend what the others were meant to share.

People who belong to no organisation share the **site budget**: ``TUTOR_SITE_MONTHLY_TOKENS`` for all
of them together and ``TUTOR_SITE_PER_LEARNER_MONTHLY_TOKENS`` for each (settings, changed by the
operator; empty = unlimited).

**Reservations.** A question is let through only if the budgets can still take the most its answer
can cost (``tutor.answering.services.reserve_tokens``: the largest prompt plus ``max_tokens``). The
pending reply holds that many ``reserved_tokens``, counted as used while it is pending; when it ends,
its real usage counts instead. Checking and reserving happen in one transaction under a lock on the
budget rows (``select_for_update``; the site budget has no row, so a transaction-level advisory lock
stands in for one), so concurrent questions queue there and each sees the reservations made before
it: they cannot all pass a check that only one fits. A reply left pending by a crashed worker keeps
its reservation for the rest of the month: the error is on the side of not overspending.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Exists, F, Func, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext, pgettext

from lessons.models import Membership, Organisation
from tutor.models import Message, OrganisationBudget

OPEN_STATUSES = (Message.Status.PENDING, Message.Status.STREAMING)
SITE_BUDGET_LOCK = 7_420_001  # pg_advisory_xact_lock key of the site budget (any constant no other code uses)


class BudgetExhausted(Exception):
    """Raised before a question is answered when a budget has no room for it."""

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


def _spent():
    return Coalesce(F("prompt_tokens"), 0) + Coalesce(F("completion_tokens"), 0)


def _held():
    """A pending reply's reservation; once it has ended its real tokens count instead."""
    return Case(
        When(status__in=OPEN_STATUSES, then=F("reserved_tokens")), default=Value(0), output_field=IntegerField()
    )


def _month_messages(now):
    since, until = month_window(now)
    return Message.objects.filter(created_at__gte=since, created_at__lt=until).order_by()


def _member_messages(now):
    """Messages this month in conversations of members of the outer Organisation row."""
    members = Membership.objects.filter(organisation=OuterRef(OuterRef("pk"))).values("user_id")
    return _month_messages(now).filter(conversation__user__in=members)


def _total(queryset, expression, function):
    # A plain SQL aggregate over the subquery's rows; Func keeps Django from adding a GROUP BY.
    return Coalesce(
        Subquery(queryset.annotate(total=Func(expression, function=function)).values("total")[:1]),
        Value(0),
        output_field=IntegerField(),
    )


def with_month_usage(organisations, now=None):
    """Annotate organisations with their budgets and this month's ``questions_used``,
    ``prompt_tokens_used``, ``completion_tokens_used`` and ``reserved_tokens_used``."""
    messages = _member_messages(now)
    return organisations.annotate(
        question_budget=F("tutor_budget__monthly_question_budget"),
        token_budget=F("tutor_budget__monthly_token_budget"),
        per_learner_budget=F("tutor_budget__per_learner_monthly_tokens"),
        questions_used=_total(
            messages.filter(role=Message.Role.TUTOR).exclude(status=Message.Status.FAILED), F("id"), "COUNT"
        ),
        prompt_tokens_used=_total(messages, Coalesce(F("prompt_tokens"), 0), "SUM"),
        completion_tokens_used=_total(messages, Coalesce(F("completion_tokens"), 0), "SUM"),
        reserved_tokens_used=_total(messages, _held(), "SUM"),
    )


@dataclass(frozen=True)
class Usage:
    """One budget's usage this month (an organisation's, or the site's when ``organisation`` is None).

    ``learner_tokens`` is the asking learner's own tokens this month (reservations included); it is
    only filled in when a question is checked.
    """

    organisation: Organisation | None
    questions: int
    prompt_tokens: int
    completion_tokens: int
    since: datetime
    resets_at: datetime
    question_budget: int | None
    token_budget: int | None
    reserved_tokens: int = 0
    per_learner_tokens: int | None = None
    learner_tokens: int = 0

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

    def shortfall(self, tokens=0):
        """``"questions"``, ``"tokens"``, ``"learner_tokens"`` or ``None``: which budget has no room
        for one more question whose answer may cost ``tokens`` (any question needs at least one)."""
        needed = max(tokens, 1)
        if self.question_budget is not None and self.questions + 1 > self.question_budget:
            return "questions"
        if self.token_budget is not None and self.tokens + self.reserved_tokens + needed > self.token_budget:
            return "tokens"
        if self.per_learner_tokens is not None and self.learner_tokens + needed > self.per_learner_tokens:
            return "learner_tokens"
        return None

    @property
    def exhausted_by(self):
        """``"questions"``, ``"tokens"`` or ``None``: which budget, if any, is used up."""
        return self.shortfall()


def _usage_of(organisation, now=None, learner_tokens=0):
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
        reserved_tokens=organisation.reserved_tokens_used,
        per_learner_tokens=organisation.per_learner_budget,
        learner_tokens=learner_tokens,
    )


def organisation_usage(organisation, now=None) -> Usage:
    annotated = with_month_usage(Organisation.objects.filter(pk=organisation.pk), now).get()
    return _usage_of(annotated, now)


def _site_usage(user, now=None):
    """The site budget's usage: everyone's who belongs to no organisation, and ``user``'s own part."""
    since, resets_at = month_window(now)
    members = Membership.objects.filter(user=OuterRef("conversation__user"))
    totals = (
        _month_messages(now)
        .filter(~Exists(members))
        .aggregate(
            prompt=Coalesce(Sum("prompt_tokens"), 0),
            completion=Coalesce(Sum("completion_tokens"), 0),
            reserved=Coalesce(Sum(_held()), 0),
            learner=Coalesce(Sum(_spent() + _held(), filter=Q(conversation__user=user)), 0),
        )
    )
    return Usage(
        organisation=None,
        questions=0,
        prompt_tokens=totals["prompt"],
        completion_tokens=totals["completion"],
        since=since,
        resets_at=resets_at,
        question_budget=None,
        token_budget=settings.TUTOR_SITE_MONTHLY_TOKENS,
        reserved_tokens=totals["reserved"],
        per_learner_tokens=settings.TUTOR_SITE_PER_LEARNER_MONTHLY_TOKENS,
        learner_tokens=totals["learner"],
    )


def budgets_of(user, now=None, *, lock=False):
    """The usages of the budgets that apply to ``user``: their organisations that set one, or the
    site budget if they belong to no organisation. ``lock`` (inside a transaction) locks them first.

    Who has nothing to check is settled by two short queries before any usage is read: a member of
    organisations without budgets, or anyone outside one while the site budget is unlimited. A crowd
    of their questions then reads no usage and queues on no lock.
    """
    organisation_ids = set(Membership.objects.filter(user=user).values_list("organisation_id", flat=True))
    if not organisation_ids:
        if not site_budget_applies():
            return []
        if lock:  # the site budget has no row to lock: a transaction-level advisory lock stands in for one
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SITE_BUDGET_LOCK])
        return [_site_usage(user, now)]
    budgets = OrganisationBudget.objects.filter(
        Q(monthly_question_budget__isnull=False)
        | Q(monthly_token_budget__isnull=False)
        | Q(per_learner_monthly_tokens__isnull=False),
        organisation_id__in=organisation_ids,
    ).order_by("pk")  # one order everywhere: no deadlocks
    if lock:
        # Locked in a statement of its own, before usage is read: under READ COMMITTED the reads
        # below then see every reservation committed by whoever held the lock before.
        budgets = budgets.select_for_update()
    budgeted_ids = list(budgets.values_list("organisation_id", flat=True))
    if not budgeted_ids:
        return []
    learner_tokens = _total(_month_messages(now).filter(conversation__user=user), _spent() + _held(), "SUM")
    budgeted = with_month_usage(Organisation.objects.filter(pk__in=budgeted_ids), now)
    return [
        _usage_of(organisation, now, organisation.learner_tokens_used)
        for organisation in budgeted.annotate(learner_tokens_used=learner_tokens)
    ]


def site_budget_applies():
    """Whether the operator limits what people outside organisations may use (empty settings: unlimited).

    Without a limit there is nothing to check, so their questions take no lock and read no usage:
    a crowd of them does not queue on the site budget's lock.
    """
    return settings.TUTOR_SITE_MONTHLY_TOKENS is not None or settings.TUTOR_SITE_PER_LEARNER_MONTHLY_TOKENS is not None


def refusal_message(usage: Usage, shortfall: str) -> str:
    """What the learner reads when refused, in the active language (the request's)."""
    resets_on = date_format(usage.resets_at, pgettext("date format (Django date filter syntax): a long date", "j F Y"))
    # Plural by the budget ("12 of 12 questions"); English says "questions" even for a budget of 1.
    if shortfall == "questions":
        spent = ngettext(
            "%(used)d of %(budget)d questions", "%(used)d of %(budget)d questions", usage.question_budget
        ) % {"used": usage.questions, "budget": usage.question_budget}
    else:
        used, budget = (
            (usage.learner_tokens, usage.per_learner_tokens)
            if shortfall == "learner_tokens"
            else (usage.tokens + usage.reserved_tokens, usage.token_budget)
        )
        spent = ngettext("%(used)d of %(budget)d tokens", "%(used)d of %(budget)d tokens", budget) % {
            "used": used,
            "budget": budget,
        }
    values = {"spent": spent, "date": resets_on}
    if usage.organisation is None and shortfall == "learner_tokens":
        return (
            gettext(
                "Your tutor budget for this month is used up (%(spent)s). "
                "You can ask the tutor again from %(date)s. "
                "Your lessons and quizzes are still open."
            )
            % values
        )
    if usage.organisation is None:
        return (
            gettext(
                "The tutor's budget for learners outside an organisation is used up for this month. "
                "You can ask the tutor again from %(date)s. "
                "Your lessons and quizzes are still open."
            )
            % values
        )
    values["organisation"] = usage.organisation.name
    if shortfall == "learner_tokens":
        return (
            gettext(
                "Your share of the tutor budget of %(organisation)s for this month is used up (%(spent)s). "
                "You can ask the tutor again from %(date)s. "
                "Your lessons and quizzes are still open."
            )
            % values
        )
    return (
        gettext(
            "The tutor budget of %(organisation)s for this month is used up (%(spent)s). "
            "You can ask the tutor again from %(date)s. "
            "Your lessons and quizzes are still open."
        )
        % values
    )


def check_budget(user, now=None, tokens=0, *, lock=False):
    """Raise BudgetExhausted if a budget of ``user`` has no room for a question costing up to ``tokens``.

    On its own a read-only look; ``reservation`` calls it with ``lock``.
    """
    for usage in budgets_of(user, now, lock=lock):
        shortfall = usage.shortfall(tokens)
        if shortfall:
            raise BudgetExhausted(
                refusal_message(usage, shortfall), organisation=usage.organisation, resets_at=usage.resets_at
            )


@contextmanager
def reservation(user, *, tokens, now=None):
    """Lock ``user``'s budgets, check a question costing up to ``tokens`` fits, and keep them locked
    while the caller writes the reservation (the pending reply carrying ``reserved_tokens``).

    Raises BudgetExhausted before the block runs when it does not fit; the lock goes with the
    transaction at the end of the block.
    """
    with transaction.atomic():
        check_budget(user, now, tokens, lock=True)
        yield


def set_budgets(organisation, *, questions=None, tokens=None, per_learner_tokens=None, clear=False):
    """Set an organisation's monthly budgets; ``None`` leaves one as it is, ``clear`` removes all of them."""
    budget, _ = OrganisationBudget.objects.get_or_create(organisation=organisation)
    if clear:
        budget.monthly_question_budget = budget.monthly_token_budget = budget.per_learner_monthly_tokens = None
    if questions is not None:
        budget.monthly_question_budget = questions
    if tokens is not None:
        budget.monthly_token_budget = tokens
    if per_learner_tokens is not None:
        budget.per_learner_monthly_tokens = per_learner_tokens
    budget.save()
    return budget
