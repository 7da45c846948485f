import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.production")
application = get_asgi_application()

from cms.warm_up import warm_up_apps  # noqa: E402 - needs the settings and apps set up above

warm_up_apps()  # before this worker takes its first request: models load now, not on a learner's question
