"""django-allauth's adapters (``SOCIALACCOUNT_ADAPTER``, ``ACCOUNT_ADAPTER``): where allauth asks the site to decide.

allauth runs the protocol and the log-in itself; everything it would otherwise decide or show on its
own pages is decided here and shown on the site's pages:

* which account a sign-in opens (``identity.accounts.services``), before allauth looks further, so
  its sign-up form, e-mail confirmation and "e-mail taken" pages never come up;
* the memberships the claims give (``identity.mappings``), at every sign-in;
* a sign-in that only confirms who someone is, before deleting their account (``identity.deletion``);
* every failure (cancelled, tampered or expired state, bad token, provider down) as one page in the
  site's language, with the reason in the log only;
* after the log-in: the language saved on the account, as with the password log-in (``cms.views``),
  and what a later log-out needs to end the provider's session too (``identity.oidc.logout``).
"""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base.constants import AuthError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from cms.languages import preferred_language, set_language_cookie, url_in_language
from identity.deletion.services import confirm_reauthentication
from identity.mappings.services import apply_claim_mappings
from identity.oidc.logout import remember_provider_session
from identity.oidc.pages import sign_in_problem
from identity.oidc.provider import Purpose

from .exceptions import SignInRefused
from .selectors import claims_of, verified_email
from .services import sign_in_account

logger = logging.getLogger(__name__)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        user.email = verified_email(sociallogin)  # an unverified address is not kept (identity.accounts.services)
        user.username = ""  # chosen when the account is made
        return user

    def pre_social_login(self, request, sociallogin):
        provider_id = sociallogin.account.provider
        try:
            if sociallogin.state.get("purpose") == Purpose.REAUTHENTICATE:
                confirm_reauthentication(request, sociallogin)
                raise ImmediateHttpResponse(redirect(sociallogin.state.get("next") or "account:delete"))
            user, created = sign_in_account(request, sociallogin)
            apply_claim_mappings(user=user, provider_id=provider_id, claims=claims_of(sociallogin))
        except SignInRefused as refusal:
            logger.warning("Sign-in with %s refused: %s", provider_id, refusal.code)
            raise ImmediateHttpResponse(sign_in_problem(request, refusal.message, status=403)) from refusal
        if created and not sociallogin.state.get("next"):
            sociallogin.state["next"] = reverse("welcome")

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        reason = getattr(exception, "reason", None) or error or AuthError.UNKNOWN
        logger.warning("Sign-in with %s failed (%s): %s", provider.sub_id, reason, exception or "")
        if error == AuthError.CANCELLED:
            message = _("You cancelled signing in with %(provider)s. Log in again whenever you like.")
        else:
            message = _(
                "Signing in with %(provider)s did not work, and you were not signed in. Please try again; "
                "if it keeps failing, log in another way or ask your school's or company's IT support."
            )
        raise ImmediateHttpResponse(sign_in_problem(request, message % {"provider": provider.app.name}, status=400))


class AccountAdapter(DefaultAccountAdapter):
    def add_message(self, request, level, message_template=None, message_context=None, extra_tags="", message=None):
        """allauth's own messages ("Successfully signed in as …") are left out, as the password log-in shows none."""
        if message_template is None:
            super().add_message(request, level, message_template, message_context, extra_tags, message)

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        sociallogin = (kwargs.get("signal_kwargs") or {}).get("sociallogin")
        if sociallogin is not None:
            remember_provider_session(request, sociallogin)
        language = preferred_language(user)
        if language and response.has_header("Location"):
            response["Location"] = url_in_language(request, response["Location"], language)
            set_language_cookie(response, language)
        return response
