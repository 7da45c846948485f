import logging

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("cms")


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Site")

    def ready(self):
        if settings.CELERY_TASK_ALWAYS_EAGER and not settings.CELERY_BROKER_URL:
            logger.info("No CELERY_BROKER_URL set: background tasks run eagerly in this process.")
