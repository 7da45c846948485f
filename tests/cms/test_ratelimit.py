"""Rate limits count atomically in the shared cache: exactly N events per window, however many processes ask."""

import threading
import time
import uuid

import pytest
import redis
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from cms.ratelimit import Rate, RateLimit, RateLimited
from tests.conftest import REDIS_HOST, REDIS_PORT, redis_answers

REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/3"  # apart from the Celery tests' database 0
MID_WINDOW = time.time() // 3600 * 3600 + 1800  # every hit of a test in one hourly window


@pytest.fixture
def redis_cache(settings):
    """The default cache on a real Redis, under a key prefix of this test's own (deleted afterwards)."""
    if not redis_answers():
        pytest.skip(f"No Redis answers on {REDIS_HOST}:{REDIS_PORT}; the atomicity test needs a shared cache.")
    prefix = f"test-ratelimit-{uuid.uuid4().hex}"
    backend = "django.core.cache.backends.redis.RedisCache"
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": REDIS_URL, "KEY_PREFIX": prefix}}
    client = redis.Redis.from_url(REDIS_URL)
    yield client
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()


def test_threads_hitting_one_limit_get_exactly_the_allowance(redis_cache):
    limit = RateLimit("threads", Rate(count=20, seconds=3600))
    allowed = []
    start = threading.Barrier(8)

    def learner_tab():  # each thread opens its own Redis connection, as separate processes would
        start.wait()
        for _ in range(25):
            try:
                limit.hit("learner-1", now=MID_WINDOW)
            except RateLimited:
                continue
            allowed.append(1)

    threads = [threading.Thread(target=learner_tab) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(allowed) == 20
    with pytest.raises(RateLimited):
        limit.check("learner-1", now=MID_WINDOW)
    limit.check("learner-2", now=MID_WINDOW)  # another key has its own allowance


def test_a_counter_that_redis_recreates_without_expiry_gets_its_expiry_back(redis_cache, monkeypatch):
    """Django's RedisCache.incr checks that the key exists, then INCRs: if the key expires between the
    two, INCR starts a new counter at 1 with no expiry, which would never let the learner go again."""

    def incr_just_after_expiry(self, key, delta=1):
        full_key = self.make_and_validate_key(key)
        redis_cache.delete(full_key)
        return redis_cache.incr(full_key, delta)

    limit = RateLimit("expiring", Rate(count=5, seconds=60))
    limit.hit("learner-1", now=MID_WINDOW)  # creates the counter, with an expiry
    monkeypatch.setattr(RedisCache, "incr", incr_just_after_expiry)
    limit.hit("learner-1", now=MID_WINDOW)
    (counter,) = redis_cache.scan_iter(f"{cache.key_prefix}:*")
    assert 0 < redis_cache.ttl(counter) <= 61


def test_a_counter_recreated_by_another_process_between_add_and_incr_still_counts_this_hit(monkeypatch):
    limit = RateLimit("race", Rate(count=5, seconds=60))
    counter = f"{limit._window(MID_WINDOW)[0]}:learner-1"
    real_incr = LocMemCache.incr
    raced = []

    def incr_after_the_counter_expired_and_came_back(self, key, delta=1):
        if not raced:  # the counter expires; another process starts it again before this one retries
            raced.append(key)
            self.delete(key)
            self.add(key, 1, timeout=61)
            raise ValueError(f"Key '{key}' not found")
        return real_incr(self, key, delta)

    limit.hit("learner-1", now=MID_WINDOW)
    monkeypatch.setattr(LocMemCache, "incr", incr_after_the_counter_expired_and_came_back)
    limit.hit("learner-1", now=MID_WINDOW)
    assert cache.get(counter) == 2  # the other process's hit and this one
