"""The admin form of a webhook endpoint: events as checkboxes (the model keeps them in an array)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from api.models import WebhookEndpoint


class WebhookEndpointForm(WagtailAdminModelForm):
    url = WebhookEndpoint._meta.get_field("url").formfield(assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=WebhookEndpoint.Event.choices, widget=forms.CheckboxSelectMultiple
    )
