"""Fixed-window rate limits in the Django cache, shared by every view that needs one.

One counter per scope, key and window, created with the window's length as its expiry and
incremented atomically (``cache.add`` + ``cache.incr`` are atomic in Redis and memcached, and
under the locmem cache's lock). The limit holds across processes only when they share the cache:
production settings refuse a per-process one (``CACHE_URL`` must name Redis or memcached). Fixed
windows can let a burst through at a window edge (up to twice the limit in a short span); for
protecting a model budget or slowing down code guessing that is enough, and it costs one or two
cache round trips.
"""

import math
import time
from dataclasses import dataclass

from django.core.cache import cache

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class RateLimited(Exception):
    """The allowance of this window is used up; ``retry_after`` seconds until the next window."""

    def __init__(self, retry_after):
        self.retry_after = retry_after
        super().__init__(f"rate limited, retry after {retry_after} s")

    @property
    def minutes(self):
        return max(1, math.ceil(self.retry_after / 60))


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, value):
        """ "20/h" → Rate(20, 3600); also "5/m", "100/d", "10/30s"."""
        count, _, period = value.partition("/")
        period = period.strip() or "h"
        multiple = int(period[:-1]) if period[:-1] else 1
        if period[-1] not in PERIODS or int(count) < 1 or multiple < 1:
            raise ValueError(f"a rate looks like '20/h', not {value!r}")
        return cls(int(count), multiple * PERIODS[period[-1]])


@dataclass(frozen=True)
class RateLimit:
    """``count`` events per ``seconds`` for each key (a user id, say) within one ``scope``."""

    scope: str
    rate: Rate

    def _window(self, now):
        now = time.time() if now is None else now
        window = int(now // self.rate.seconds)
        return f"ratelimit:{self.scope}:{self.rate.seconds}:{window}", math.ceil((window + 1) * self.rate.seconds - now)

    def hit(self, key, *, now=None):
        """Count one event for ``key``; raises RateLimited when that goes past the allowance."""
        window_key, retry_after = self._window(now)
        count = _increment(f"{window_key}:{key}", timeout=self.rate.seconds + 1)
        if count > self.rate.count:
            raise RateLimited(retry_after)

    def check(self, key, *, now=None):
        """Raise RateLimited when ``key`` has used the whole allowance, without counting anything."""
        window_key, retry_after = self._window(now)
        if cache.get(f"{window_key}:{key}", 0) >= self.rate.count:
            raise RateLimited(retry_after)


def _increment(counter, *, timeout):
    """Add one to ``counter``, creating it with ``timeout`` as its expiry; returns the new count.

    ``add`` creates the counter only if it is missing, so exactly one caller starts it at 1; the
    others ``incr``. A counter that expires between the two makes ``incr`` fail, and the loop tries
    ``add`` again (someone else may have recreated it meanwhile, so it is not simply set to 1). Redis's
    ``incr`` checks the key exists and then increments: a key that expires between those two steps
    comes back as a new counter at 1 without an expiry, which ``touch`` gives back.
    """
    while True:
        if cache.add(counter, 1, timeout=timeout):
            return 1
        try:
            count = cache.incr(counter)
        except ValueError:  # expired since add
            continue
        if count == 1:
            cache.touch(counter, timeout=timeout)
        return count
