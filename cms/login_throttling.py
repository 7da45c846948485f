"""Failed log-ins, throttled by django-axes on every log-in form: the site's, Wagtail's and Django's admin.

Two counts, each with its own limit, over the last ``AXES_COOLOFF_TIME``:

* per account (the username typed): ``AXES_FAILURE_LIMIT`` (``LOGIN_FAILURE_LIMIT``, default 5)
  stops guessing one person's password, from however many addresses;
* per client address: ``LOGIN_FAILURE_LIMIT_PER_IP`` (default 100) stops one address trying a
  few passwords on many accounts. It is far higher because a whole school reaches the site from one
  address, and a class mistyping its passwords must not lock out the school.

Once either limit is reached, every log-in through that account or from that address is refused,
a correct password included, until the cool-off has passed since the last counted failure; tries
during the lockout do not extend it. Only failures are stored (``axes.AccessAttempt``), and they
are removed once older than the cool-off.
"""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render


class AccountAndAddressHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit per account and a separate, higher one per address.

    Axes compares one number, the largest of its counts, with one limit. Scaling the address count
    to the account limit (``failures × account limit // address limit``) makes that comparison
    true exactly when either count has reached its own limit.
    """

    def get_failures(self, request, credentials=None):
        by_account, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)  # in AXES_LOCKOUT_PARAMETERS order
        )
        return max(by_account, by_address * settings.AXES_FAILURE_LIMIT // settings.LOGIN_FAILURE_LIMIT_PER_IP)


def client_ip(request):
    """The address a log-in comes from: the peer's, or behind our proxy the one it appended last.

    Earlier X-Forwarded-For entries are whatever the client sent, so only the proxy's own entry
    (the right-most) is believed, and only when ``BEHIND_PROXY`` says there is one.
    """
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.BEHIND_PROXY and forwarded.strip():
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response, credentials):
    """The page shown instead of a log-in form's answer while a lockout lasts (429, with Retry-After)."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    response = render(request, "registration/locked_out.html", {"minutes": max(1, seconds // 60)}, status=429)
    response["Retry-After"] = str(seconds)
    return response
