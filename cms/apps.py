import logging

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import pre_delete
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("cms")


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Site")

    def ready(self):
        from cms.accounts.services import run_before_delete_account_hooks

        # Every deletion of a user, wherever it starts, lets each app erase its part first.
        pre_delete.connect(
            run_before_delete_account_hooks, sender=settings.AUTH_USER_MODEL, dispatch_uid="before_delete_account"
        )
        if settings.CELERY_TASK_ALWAYS_EAGER and not settings.CELERY_BROKER_URL:
            logger.info("No CELERY_BROKER_URL set: background tasks run eagerly in this process.")
