"""Work a server process does once as it starts, before it takes requests or tasks.

``cms`` knows no other app, so an app with something to prepare (the tutor loads its embedding
model) gives its AppConfig a ``warm_up()`` method and ``warm_up_apps()`` calls each one. cms/asgi.py
calls it as a web worker loads the application, cms/celery.py as each Celery worker process starts;
management commands and tests never do. Each app's settings say whether it has work to do.
"""

from django.apps import apps


def warm_up_apps():
    for config in apps.get_app_configs():
        warm_up = getattr(config, "warm_up", None)
        if callable(warm_up):
            warm_up()
