"""Which account a sign-in with a provider opens: linked by subject, linked by verified e-mail, or new.

1. A subject (issuer + ``sub``) linked before opens its account (allauth's lookup by provider id
   and ``sub``; ``identity.oidc.client`` holds the provider id to one issuer).
2. Otherwise, when the provider says it verified the e-mail address (``email_verified``) and exactly
   one account here has that address, that account is linked and opened. Addresses here were
   confirmed by a mailed link at sign-up (``cms.signup``) or typed by an administrator, so the
   provider's word and ours agree on who owns the mailbox. Staff accounts are never linked this
   way: a provider's word is not enough to open the admin; staff log in with their password.
3. Otherwise a new account is made, with no usable password. It keeps the provider's address only
   when the provider verified it: an unverified address could be anyone's, and holding it would stop
   its owner from signing up here with it.

An account that is not active is not opened, whichever way it was found.
"""

import logging

from allauth.account.adapter import get_adapter as get_account_adapter
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cms.languages import current_language, save_preferred_language

from .exceptions import SignInRefused
from .selectors import claims_of, verified_email

logger = logging.getLogger(__name__)


def _usable(user):
    if not user.is_active:
        raise SignInRefused(_("This account is switched off. Ask the site's administrators about it."), code="inactive")
    return user


def sign_in_account(request, sociallogin):
    """The account this sign-in opens and whether it was made now; SignInRefused if none may be opened."""
    if sociallogin.is_existing:
        return _usable(sociallogin.user), False
    email = verified_email(sociallogin)
    if email:
        owners = list(type(sociallogin.user).objects.filter(email__iexact=email)[:2])
        if len(owners) > 1:
            raise SignInRefused(
                _(
                    "Several accounts here use your e-mail address, so we cannot tell which is yours. "
                    "Log in with your username and password, or ask the site's administrators."
                ),
                code="ambiguous_email",
            )
        if owners:
            return link_account(request, sociallogin, owners[0]), False
    return create_account(request, sociallogin), True


def link_account(request, sociallogin, user):
    """Link the provider's subject to ``user``, whose address the provider verified."""
    if user.is_staff or user.is_superuser:
        raise SignInRefused(
            _("An administrator's account uses this e-mail address. Log in with your username and password."),
            code="staff_account",
        )
    _usable(user)
    try:
        with transaction.atomic():
            sociallogin.connect(request, user)
    except IntegrityError as error:  # the same subject signing in twice at once
        raise SignInRefused(_("Please try signing in again."), code="race") from error
    logger.info("Linked %s subject to account %s by verified e-mail", sociallogin.account.provider, user.pk)
    return user


def create_account(request, sociallogin):
    """A new account for the subject: name from the claims, a unique username, no usable password."""
    user = sociallogin.user
    claims = claims_of(sociallogin)
    user.username = get_account_adapter(request).generate_unique_username(
        [claims.get("preferred_username"), user.email.partition("@")[0], user.first_name, user.last_name, "learner"]
    )
    user.set_unusable_password()
    sociallogin.email_addresses = []  # the address, if verified, is on the account; allauth keeps no copy
    try:
        with transaction.atomic():
            sociallogin.save(request, connect=True)  # connect: saves the user and the link, no allauth e-mail rows
    except IntegrityError as error:  # the same subject or username signing up twice at once
        raise SignInRefused(_("Please try signing in again."), code="race") from error
    save_preferred_language(user, current_language())
    return user
