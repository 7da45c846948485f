"""The admin form of a claim mapping: the provider is chosen from those configured."""

from django import forms
from wagtail.admin.forms import WagtailAdminModelForm

from identity.accounts.selectors import configured_providers


class ClaimMappingForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(app.provider_id, f"{app.name} ({app.provider_id})") for app in configured_providers()]
        current = self.instance.provider_id
        if current and current not in dict(choices):  # since removed from OIDC_PROVIDERS: keep it visible
            choices.append((current, current))
        field = self.fields["provider_id"]
        self.fields["provider_id"] = forms.ChoiceField(
            choices=choices, label=field.label, help_text=field.help_text, required=True
        )
