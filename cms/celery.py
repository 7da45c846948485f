"""The Celery app: settings under the ``CELERY_`` namespace, tasks autodiscovered from the apps."""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")

app = Celery("cms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="cms.ping")
def ping(value):
    """A trivial round trip, used to check that a worker is consuming from the broker."""
    return {"pong": value}


@worker_process_init.connect
def warm_up_worker_process(**kwargs):
    """Each worker process loads its models (cms.warm_up) before it takes its first task."""
    from cms.warm_up import warm_up_apps

    warm_up_apps()
