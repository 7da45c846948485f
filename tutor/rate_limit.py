"""How many questions one user may ask the tutor per period (``TUTOR_RATE_LIMIT``, e.g. "20/h").

A fixed window in the Django cache: one counter per user and window, created with the window's
length as its expiry and incremented atomically (``cache.add`` + ``cache.incr`` are atomic in Redis
and memcached, and under the locmem cache's lock). Fixed windows can let a burst through at a
window edge (up to twice the limit in a short span); for protecting a model budget that is enough,
and it costs one cache round trip.
"""

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class RateLimited(Exception):
    def __init__(self, retry_after):
        self.retry_after = retry_after  # seconds
        minutes = max(1, math.ceil(retry_after / 60))
        self.message = (
            "You've asked the tutor a lot of questions in a short time. "
            f"Please try again in {minutes} minute{'s' if minutes != 1 else ''}."
        )
        super().__init__(self.message)


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse_rate(value):
    """ "20/h" → Rate(20, 3600); also "5/m", "100/d", "10/30s"."""
    count, _, period = value.partition("/")
    period = period.strip() or "h"
    multiple = int(period[:-1]) if period[:-1] else 1
    if period[-1] not in PERIODS or int(count) < 1 or multiple < 1:
        raise ValueError(f"TUTOR_RATE_LIMIT must look like '20/h', not {value!r}")
    return Rate(int(count), multiple * PERIODS[period[-1]])


def hit(user, *, now=None):
    """Count one question for ``user``; raises RateLimited when the window's allowance is used up."""
    rate = parse_rate(settings.TUTOR_RATE_LIMIT)
    now = time.time() if now is None else now
    window = int(now // rate.seconds)
    key = f"tutor:rate:{user.pk}:{rate.seconds}:{window}"
    cache.add(key, 0, timeout=rate.seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=rate.seconds + 1)
        count = 1
    if count > rate.count:
        raise RateLimited(retry_after=math.ceil((window + 1) * rate.seconds - now))
