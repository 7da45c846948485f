from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LtiConfig(AppConfig):
    """The platform as an LTI 1.3 tool: launch from an LMS, deep linking and grades back to the gradebook."""

    name = "lti"
    verbose_name = _("LMS launch (LTI 1.3)")

    def ready(self):
        from lti.grades import receivers

        receivers.connect()
