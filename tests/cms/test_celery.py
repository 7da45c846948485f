import pytest

from cms.celery import ping


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_on_redis_runs_a_task_and_returns_its_result(celery_worker):
    result = ping.delay("hello")
    assert result.get(timeout=20) == {"pong": "hello"}
    assert result.successful()


def test_without_a_broker_tasks_run_eagerly(settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER
    assert ping.delay("eager").get(timeout=1) == {"pong": "eager"}
