from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The REST API for school information and HR systems: tokens per organisation, and webhooks."""

    name = "api"
    verbose_name = _("API and webhooks")

    def ready(self):
        from api.webhooks import receivers

        receivers.connect()
