"""Worker processes load the embedding model as they start (cms.warm_up), never on a learner's first question."""

import importlib

import pytest
from celery.signals import worker_process_init

from cms import asgi
from tutor.indexing import embeddings


@pytest.fixture
def unloaded():
    """A process whose local model has not been loaded yet; later tests load it again when they need it."""
    for cached in (embeddings.local_provider, embeddings._provider):
        cached.cache_clear()
    yield
    for cached in (embeddings.local_provider, embeddings._provider):
        cached.cache_clear()


def loaded():
    return embeddings.local_provider.cache_info().currsize == 1 and embeddings.local_provider()._model is not None


def test_warm_up_loads_the_local_model(unloaded):
    assert embeddings.local_provider.cache_info().currsize == 0

    embeddings.warm_up()

    assert loaded()


@pytest.mark.parametrize("warm", [True, False])
def test_the_asgi_application_warms_up_as_a_web_worker_loads_it_when_the_setting_is_on(settings, unloaded, warm):
    settings.TUTOR_WARM_MODELS = warm

    importlib.reload(asgi)  # what gunicorn's uvicorn worker does: import cms.asgi before taking requests

    assert embeddings.local_provider.cache_info().currsize == (1 if warm else 0)
    assert not warm or loaded()


@pytest.mark.parametrize("warm", [True, False])
def test_each_celery_worker_process_warms_up_as_it_starts_when_the_setting_is_on(settings, unloaded, warm):
    settings.TUTOR_WARM_MODELS = warm

    worker_process_init.send(sender=None)  # sent by Celery in each pool process before it takes tasks

    assert embeddings.local_provider.cache_info().currsize == (1 if warm else 0)


def test_production_warms_up_unless_told_not_to_and_other_settings_do_not():
    from tests.cms.test_settings import PRODUCTION_ENV, setting

    assert setting("TUTOR_WARM_MODELS", **PRODUCTION_ENV) == "True"
    assert setting("TUTOR_WARM_MODELS", **PRODUCTION_ENV, TUTOR_WARM_MODELS="false") == "False"
    assert setting("TUTOR_WARM_MODELS", DJANGO_SETTINGS_MODULE="cms.settings.dev") == "False"
