from django.apps import AppConfig
from django.conf import settings


class TutorConfig(AppConfig):
    name = "tutor"
    verbose_name = "Tutor"

    def ready(self):
        from tutor.indexing import signal_handlers

        signal_handlers.connect()

    def warm_up(self):
        """As a web or Celery worker process starts (cms.warm_up): load the embedding model if ``TUTOR_WARM_MODELS``."""
        if settings.TUTOR_WARM_MODELS:
            from tutor.indexing.embeddings import warm_up

            warm_up()
