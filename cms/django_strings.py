"""Django's own strings that the log-in, sign-up and password pages show, copied here for the catalogs.

Nothing imports this module: it exists so that ``makemessages`` (run in ``cms/``) puts these
messages into the cms catalogs. Django's Kazakh catalog leaves them untranslated, so the Kazakh
sign-up page would show English validation help and errors; ``cms`` comes first in
INSTALLED_APPS, so its catalogs take precedence over Django's. Each message must stay exactly as
Django writes it (the apostrophes are ’); ``tests/cms/test_catalogs.py`` checks they still are.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

MESSAGES = [
    # django.contrib.auth.forms.AuthenticationForm
    gettext_noop("Please enter a correct %(username)s and password. Note that both fields may be case-sensitive."),
    # django.contrib.auth.forms.BaseUserCreationForm, PasswordResetForm
    gettext_noop("Enter the same password as before, for verification."),
    gettext_noop("Email"),
    # django.contrib.auth.models.AbstractUser
    gettext_noop("Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only."),
    gettext_noop("email address"),
    # django.contrib.auth.validators.UnicodeUsernameValidator
    gettext_noop("Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."),
    # django.core.validators.EmailValidator
    gettext_noop("Enter a valid email address."),
    # django.contrib.auth.password_validation
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("This password is too common."),
    gettext_noop("Your password can’t be entirely numeric."),
    gettext_noop("This password is entirely numeric."),
]

PLURAL_MESSAGES = [
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "min_length",
    ),
]
