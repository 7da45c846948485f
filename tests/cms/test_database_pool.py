"""Production shares a bounded pool of database connections per process (cms.settings.base.with_pool).

An ASGI worker runs each request's sync code in a thread of its own, hundreds at once; without a bound
each would open a connection (the load test at 200 learners ran PostgreSQL out of them).
"""

from tests.cms.test_settings import PRODUCTION_ENV, setting

POOL = "DATABASES['default'].get('OPTIONS', {}).get('pool')"


def test_production_pools_at_most_twenty_connections_per_process_by_default():
    assert setting(POOL, **PRODUCTION_ENV) == "{'min_size': 1, 'max_size': 20, 'timeout': 30}"
    assert (
        setting(POOL, **PRODUCTION_ENV, DATABASE_POOL_MAX_SIZE="8") == "{'min_size': 1, 'max_size': 8, 'timeout': 30}"
    )


def test_no_pool_when_told_so_or_outside_production():
    assert setting(POOL, **PRODUCTION_ENV, DATABASE_POOL_MAX_SIZE="0") == "None"
    assert setting(POOL, DJANGO_SETTINGS_MODULE="cms.settings.dev") == "None"
