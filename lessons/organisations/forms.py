"""Forms for classes and teams; each limits its choices to what the signed-in user may use."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cms.forms import SignupForm
from lessons.models import CoursePage, Membership
from lessons.organisations.selectors import organisations_for_new_groups
from lessons.organisations.wording import wording_for_kinds
from lessons.templatetags.lesson_dates import local_date


class GroupCreateForm(forms.Form):
    """Labelled in the words of the organisations the user may open a group in (class, team, or both)."""

    organisation = forms.ModelChoiceField(queryset=None, empty_label=None, label=_("Organisation"))
    name = forms.CharField(max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = organisations_for_new_groups(user)
        self.fields["organisation"].queryset = organisations
        self.words = wording_for_kinds(organisations.values_list("kind", flat=True))
        self.fields["name"].label = self.words.group_name_label
        self.fields["name"].help_text = self.words.group_name_help

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError(_("Give the class or team a name."))
        return name


class JoinByCodeForm(forms.Form):
    code = forms.CharField(
        max_length=40,
        label=_("Join code"),
        help_text=_("The code your teacher or manager gave you, for example K7QP2XMA."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class InvitationSignupForm(SignupForm):
    """Sign-up on an invitation's page, for the address it was sent to, with no confirmation mail.

    Following the e-mailed link proves the address as the site's confirmation link would, so the
    account is made at once with the invitation's address (there is no e-mail field to change).
    The organisation that invited the person is the basis for their account, so the open sign-up's
    age-of-consent question is not asked: it sends younger learners to exactly this invitation.
    """

    def __init__(self, *args, invitation, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["email"]
        self.fields.pop("confirms_age", None)
        self.instance.email = invitation.email

    def clean(self):
        cleaned_data = super().clean()
        if get_user_model().objects.filter(email__iexact=self.instance.email).exists():
            raise ValidationError(
                _("There is already an account with this e-mail address: log in to it to accept."), code="has_account"
            )
        return cleaned_data


class ClassCodeSignupForm(SignupForm):
    """Sign-up for someone who has a class code and no account, such as a learner younger than 13.

    The school whose code it is, not the learner's own consent, is the basis for the account, so the
    open sign-up's age question is not asked: it sends younger learners to exactly this form. The
    address is confirmed by e-mail like any sign-up, and the account joins the class once created.
    """

    code = forms.CharField(max_length=40, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("confirms_age", None)


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"), help_text=_("Only an account with this address can accept the invitation.")
    )
    role = forms.ChoiceField(choices=(), initial=Membership.Role.LEARNER, label=_("Role"), required=False)

    def __init__(self, *args, may_invite_staff, words, **kwargs):
        super().__init__(*args, **kwargs)
        roles = [Membership.Role.LEARNER, Membership.Role.TEACHER]
        self.fields["role"].choices = [(role, words.role_name(role)) for role in roles]
        if not may_invite_staff:
            # Only organisation admins bring in more staff; a teacher invites learners.
            self.fields["role"].choices = self.fields["role"].choices[:1]
            self.fields["role"].widget = forms.HiddenInput()

    def clean_role(self):
        return self.cleaned_data["role"] or Membership.Role.LEARNER


class AssignmentForm(forms.Form):
    course = forms.ModelChoiceField(queryset=CoursePage.objects.live().order_by("title"), label=_("Course"))
    due_date = forms.DateField(
        required=False, label=_("Due date (optional)"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The date picker offers no past days; clean_due_date enforces it for typed or scripted dates.
        self.fields["due_date"].widget.attrs["min"] = timezone.localdate().isoformat()

    def clean_due_date(self):
        due_date = self.cleaned_data["due_date"]
        if due_date and due_date < timezone.localdate():
            raise ValidationError(
                _("The due date %(date)s has already passed. Choose today or a later day, or leave it empty."),
                code="past",
                params={"date": local_date(due_date, "padded_date")},
            )
        return due_date
