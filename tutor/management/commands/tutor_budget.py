"""Show or set an organisation's monthly tutor budget (the site operator's tool; admins only read usage)."""

from django.core.management.base import BaseCommand, CommandError

from lessons.models import Organisation
from tutor.oversight.budgets import organisation_usage, set_budgets


def non_negative(value):
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


def limit(budget):
    return "unlimited" if budget is None else budget


class Command(BaseCommand):
    help = "Show an organisation's tutor usage this month, or set its monthly question/token budget."

    def add_arguments(self, parser):
        parser.add_argument("organisation", help="The organisation's slug.")
        parser.add_argument("--questions", type=non_negative, help="Questions per calendar month.")
        parser.add_argument("--tokens", type=non_negative, help="Prompt + completion tokens per calendar month.")
        parser.add_argument(
            "--per-learner-tokens", type=non_negative, help="The most tokens one member may use per calendar month."
        )
        parser.add_argument("--unlimited", action="store_true", help="Remove all budgets first.")

    def handle(
        self, *args, organisation, questions=None, tokens=None, per_learner_tokens=None, unlimited=False, **options
    ):
        try:
            target = Organisation.objects.get(slug=organisation)
        except Organisation.DoesNotExist as missing:
            raise CommandError(f"No organisation with the slug {organisation!r}.") from missing
        if unlimited or questions is not None or tokens is not None or per_learner_tokens is not None:
            set_budgets(
                target, questions=questions, tokens=tokens, per_learner_tokens=per_learner_tokens, clear=unlimited
            )
        usage = organisation_usage(target)
        self.stdout.write(f"{target.name}, {usage.since:%B %Y} (resets {usage.resets_at:%Y-%m-%d}):")
        self.stdout.write(f"  questions answered: {usage.questions} of {limit(usage.question_budget)}")
        self.stdout.write(f"  tokens: {usage.tokens} of {limit(usage.token_budget)}")
        self.stdout.write(f"  tokens per learner: at most {limit(usage.per_learner_tokens)}")
        self.stdout.write(f"  cost so far: {usage.cost} {usage.currency}")
