from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    """Sign-in with a school's or company's OpenID Connect provider, and its claims mapped to memberships."""

    name = "identity"
    verbose_name = _("Sign-in providers")
