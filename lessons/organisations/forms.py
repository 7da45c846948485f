"""Forms for classes and teams; each limits its choices to what the signed-in user may use."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lessons.models import CoursePage, Membership
from lessons.organisations.selectors import organisations_for_new_groups


class GroupCreateForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=None, empty_label=None, label=_("Organisation"))
    name = forms.CharField(max_length=200, label=_("Name of the class or team"), help_text=_("For example “Class 9B”."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations_for_new_groups(user)

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


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(
        choices=[(Membership.Role.LEARNER, _("Learner")), (Membership.Role.TEACHER, _("Teacher / manager"))],
        initial=Membership.Role.LEARNER,
        label=_("Role"),
        required=False,
    )

    def __init__(self, *args, may_invite_staff, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_invite_staff:
            # Only organisation admins bring in more staff; a teacher invites learners.
            self.fields["role"].choices = [(Membership.Role.LEARNER, _("Learner"))]
            self.fields["role"].widget = forms.HiddenInput()

    def clean_role(self):
        return self.cleaned_data["role"] or Membership.Role.LEARNER


class AssignmentForm(forms.Form):
    course = forms.ModelChoiceField(queryset=CoursePage.objects.live().order_by("title"), label=_("Course"))
    due_date = forms.DateField(
        required=False, label=_("Due date (optional)"), widget=forms.DateInput(attrs={"type": "date"})
    )
