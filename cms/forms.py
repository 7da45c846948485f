from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _


class SignupForm(UserCreationForm):
    """Open sign-up: the name that goes on certificates, an e-mail to confirm, and the age of consent.

    It does not say whether the e-mail address has an account (``cms.signup`` answers the same
    either way). Learners younger than ``DIGITAL_CONSENT_AGE`` join through their school instead.
    """

    first_name = forms.CharField(max_length=150, label=_("First name"))
    last_name = forms.CharField(max_length=150, label=_("Last name"), required=False)
    email = forms.EmailField(
        label=_("E-mail"), help_text=_("We send a link to confirm it; used only for your account.")
    )
    confirms_age = forms.BooleanField()

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "first_name", "last_name", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        age = {"age": settings.DIGITAL_CONSENT_AGE}
        field = self.fields["confirms_age"]
        field.label = _("I am at least %(age)s years old.") % age
        field.error_messages["required"] = (
            _(
                "You need to be at least %(age)s to create an account yourself. If you are younger, join "
                "through your school: your teacher can give you a class code or send you an invitation."
            )
            % age
        )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class LanguageForm(forms.Form):
    """A language switch: the language chosen and the page to show in it (checked by the view)."""

    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False, max_length=2000)
