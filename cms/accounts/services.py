"""Deleting an account, with each app erasing its own part through a Wagtail hook.

``before_delete_account`` — ``fn(user)`` erases or anonymises what must not simply vanish with the
user's foreign keys (a certificate is revoked rather than deleted, a business keeps an anonymised
training record). It runs from the user model's ``pre_delete`` signal, so every deletion of a user
does it — the account page, the Wagtail or Django admin, a shell — inside the deletion's
transaction; rows whose foreign key cascades need no hook.
"""

from django.db import transaction
from wagtail import hooks

BEFORE_DELETE_HOOK = "before_delete_account"


def delete_account(user) -> None:
    """Delete ``user`` and what cascades from it, after every ``before_delete_account`` hook, or nothing."""
    with transaction.atomic():
        user.delete()


def run_before_delete_account_hooks(sender, instance, **kwargs):
    """``pre_delete`` receiver of the user model (connected in ``cms.apps``)."""
    for erase in hooks.get_hooks(BEFORE_DELETE_HOOK):
        erase(instance)
