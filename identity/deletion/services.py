"""Deleting an account that has no password: its owner signs in again at their provider first.

``cms`` asks for the password before deleting an account, so a session left open on a shared
computer is not enough. An account made by signing in with a provider has no password; its owner
proves who they are the same way they signed up: a fresh sign-in at that provider (``prompt=login``,
``max_age=0``) as the subject linked to this very account. That proof is kept in the session for
``FRESH_FOR_SECONDS``; deleting logs out, which ends it.
"""

import time

from django.conf import settings
from django.utils.translation import gettext as _

from identity.accounts.exceptions import SignInRefused
from identity.accounts.selectors import claims_of

SESSION_KEY = "identity_reauthenticated"
FRESH_FOR_SECONDS = 5 * 60


def confirm_reauthentication(request, sociallogin):
    """Record in the session that the signed-in person just signed in again as their linked subject.

    SignInRefused when nobody is signed in, when it was another subject, or when the provider says
    its own sign-in happened before this one started (``auth_time``: it did not ask again).
    """
    user = request.user
    if not user.is_authenticated or not sociallogin.is_existing or sociallogin.user.pk != user.pk:
        raise SignInRefused(
            _("That is not the sign-in account linked to yours. Sign in at the provider as yourself."),
            code="other_subject",
        )
    auth_time = claims_of(sociallogin).get("auth_time")
    started_at = sociallogin.state.get("started_at", 0)
    if isinstance(auth_time, int | float) and auth_time + settings.OIDC_CLOCK_SKEW_SECONDS < started_at:
        raise SignInRefused(
            _("The provider did not ask you to sign in again. Please try again."), code="not_reauthenticated"
        )
    request.session[SESSION_KEY] = {"user": user.pk, "at": time.time()}


def recently_reauthenticated(request):
    """Whether the signed-in person confirmed who they are at their provider in the last few minutes."""
    record = request.session.get(SESSION_KEY) or {}
    return (
        request.user.is_authenticated
        and record.get("user") == request.user.pk
        and time.time() - record.get("at", 0) <= FRESH_FOR_SECONDS
    )
