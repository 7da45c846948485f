from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    """Sign-in with a school's or company's OpenID Connect provider, and its claims mapped to memberships."""

    name = "identity"
    verbose_name = _("Sign-in providers")

    def ready(self):
        from django.contrib.auth.signals import user_logged_out

        from .oidc.logout import on_logged_out

        user_logged_out.connect(on_logged_out, dispatch_uid="identity-provider-logout")
