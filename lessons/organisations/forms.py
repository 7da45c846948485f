"""Forms for classes and teams; each limits its choices to what the signed-in user may use."""

from django import forms
from django.core.exceptions import ValidationError

from lessons.models import CoursePage, Membership
from lessons.organisations.selectors import organisations_for_new_groups


class GroupCreateForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=None, empty_label=None)
    name = forms.CharField(max_length=200, label="Name of the class or team", help_text="For example “Class 9B”.")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations_for_new_groups(user)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError("Give the class or team a name.")
        return name


class JoinByCodeForm(forms.Form):
    code = forms.CharField(
        max_length=40,
        label="Join code",
        help_text="The code your teacher or manager gave you, for example K7QP2XMA.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(
        choices=[(Membership.Role.LEARNER, "Learner"), (Membership.Role.TEACHER, "Teacher / manager")],
        initial=Membership.Role.LEARNER,
        required=False,
    )

    def __init__(self, *args, may_invite_staff, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_invite_staff:
            # Only organisation admins bring in more staff; a teacher invites learners.
            self.fields["role"].choices = [(Membership.Role.LEARNER, "Learner")]
            self.fields["role"].widget = forms.HiddenInput()

    def clean_role(self):
        return self.cleaned_data["role"] or Membership.Role.LEARNER


class AssignmentForm(forms.Form):
    course = forms.ModelChoiceField(queryset=CoursePage.objects.live().order_by("title"))
    due_date = forms.DateField(
        required=False, label="Due date (optional)", widget=forms.DateInput(attrs={"type": "date"})
    )
