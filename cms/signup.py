"""Open sign-up that never tells the browser whether an e-mail address already has an account.

The form's answer is the same for every valid sign-up: "check your inbox". What happens behind it
depends on the address, and only its owner learns which:

* a new address gets a link; the account is created when the link is followed (``confirm``), so
  nobody can hold an account, or a username, with an address they cannot read;
* an address that has an account gets a note saying so, with its username and the log-in and
  password-reset links; nothing is stored or changed.

The password is hashed on both paths, so the answer takes as long either way. At most
``MAILS_PER_ADDRESS`` mails an hour go to one address, so the form cannot be used to flood an
inbox; further sign-ups for it are answered the same and send nothing.

Usernames are chosen by people, shown to them and typed at every log-in; the form still says when
one is taken, because the person must pick another. That reveals that an account with that
username exists, not whose it is or its address; guessing its password is what the per-account
log-in throttle (``cms.login_throttling``) is for.
"""

import hashlib
import logging
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.languages import current_language, save_preferred_language
from cms.models import SignupRequest
from cms.ratelimit import Rate, RateLimit, RateLimited

logger = logging.getLogger(__name__)

CONFIRMATION_PERIOD = timedelta(days=3)
MAILS_PER_ADDRESS = RateLimit("signup-mails", Rate(count=3, seconds=3600))


class SignupMailNotSent(Exception):
    """The mail server refused the sign-up's mail (on either path alike); nothing was kept."""


class SignupConflict(Exception):
    """The username or the address got an account between the sign-up and its confirmation."""

    def __init__(self, field):
        self.field = field  # "username" or "email"
        super().__init__(f"{field} taken since the sign-up")


def _token_hash(text):
    return hashlib.sha256(text.encode()).hexdigest()


def request_signup(*, username, first_name, last_name, email, password, language, next_url, absolute_url):
    """Mail ``email`` a confirmation link, or a note that it already has an account; see the module.

    ``absolute_url(path)`` turns a path into a link for the mail (``request.build_absolute_uri``).
    The mail is written in the language active now. Raises SignupMailNotSent if it cannot be sent.
    """
    password_hash = make_password(password)
    SignupRequest.objects.filter(created_at__lt=timezone.now() - CONFIRMATION_PERIOD).delete()
    try:
        MAILS_PER_ADDRESS.hit(_token_hash(email.lower()))  # no addresses in cache keys
    except RateLimited:
        return
    existing = get_user_model().objects.filter(email__iexact=email).order_by("pk").first()
    signup_request = None
    if existing is not None:
        template = "registration/signup_existing_account_email"
        context = {
            "username": existing.get_username(),
            "login_url": absolute_url(reverse("login")),
            "password_reset_url": absolute_url(reverse("password_reset")),
        }
    else:
        token = secrets.token_urlsafe(32)
        signup_request = SignupRequest.objects.create(
            token_hash=_token_hash(token),
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=email,
            password=password_hash,
            language=language,
            next_url=next_url,
        )
        template = "registration/signup_confirm_email"
        context = {
            "username": username,
            "confirm_url": absolute_url(reverse("signup_confirm", args=[token])),
            "days": CONFIRMATION_PERIOD.days,
        }
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}.txt", context)
    try:
        send_mail(subject, body, None, [email])
    except OSError as error:  # smtplib's errors and refused connections are all OSErrors
        logger.warning("Sign-up e-mail to %s failed: %s", email, error)
        if signup_request is not None:
            signup_request.delete()
        raise SignupMailNotSent from error


def request_signup_with_form(form, *, next_url, absolute_url):
    """``request_signup`` with a valid sign-up form's data; a mail that could not be sent becomes a form error.

    Serves every sign-up form built on ``cms.forms.SignupForm`` (open sign-up, a class code's).
    Returns whether the mail went out.
    """
    data = form.cleaned_data
    try:
        request_signup(
            username=data["username"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            password=data["password1"],
            language=current_language(),
            next_url=next_url,
            absolute_url=absolute_url,
        )
    except SignupMailNotSent:
        form.add_error(None, _("We could not send you an e-mail just now. Please try again in a few minutes."))
        return False
    return True


def pending_signup(token):
    """The unexpired sign-up request whose link carries ``token``, or None."""
    return SignupRequest.objects.filter(
        token_hash=_token_hash(token), created_at__gte=timezone.now() - CONFIRMATION_PERIOD
    ).first()


def confirm_signup(signup_request):
    """Create the account ``signup_request`` asked for; raises SignupConflict if that is no longer possible.

    Every request for the same address goes with it, so a second link cannot make a second account.
    """
    User = get_user_model()
    with transaction.atomic():
        # Two links for one address confirmed at once: the second waits here, then finds the account.
        list(SignupRequest.objects.select_for_update().filter(email__iexact=signup_request.email))
        if User.objects.filter(username__iexact=signup_request.username).exists():
            raise SignupConflict("username")
        if User.objects.filter(email__iexact=signup_request.email).exists():
            raise SignupConflict("email")
        try:
            with transaction.atomic():
                user = User.objects.create(
                    username=signup_request.username,
                    first_name=signup_request.first_name,
                    last_name=signup_request.last_name,
                    email=signup_request.email,
                    password=signup_request.password,
                )
        except IntegrityError as error:  # the same username confirmed a moment ago
            raise SignupConflict("username") from error
        save_preferred_language(user, signup_request.language)
        SignupRequest.objects.filter(email__iexact=signup_request.email).delete()
    return user
