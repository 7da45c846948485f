from django.apps import AppConfig


class TutorConfig(AppConfig):
    name = "tutor"
    verbose_name = "Tutor"

    def ready(self):
        from tutor.indexing import signal_handlers

        signal_handlers.connect()
