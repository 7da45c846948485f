from django import forms
from django.utils.translation import gettext_lazy as _

from lti.launches.selectors import launchable_page


class PickForm(forms.Form):
    """The teacher's pick: one live, public lesson or course, for the deep-linking request ``launch``."""

    launch = forms.CharField(widget=forms.HiddenInput, max_length=100)
    page = forms.IntegerField(error_messages={"required": _("Choose a lesson or a course.")})

    def clean_page(self):
        page = launchable_page(self.cleaned_data["page"])
        if page is None:
            raise forms.ValidationError(_("That lesson or course cannot be added. Choose another one."))
        return page
