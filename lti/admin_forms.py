"""The Wagtail admin's forms for LMS registrations, deployments and the tool's keys, and the panel of tool URLs.

django-lti's fields are labelled here in the words Moodle and other LMSs use, so an administrator can
copy each value across; django-lti itself ships no translations of them.
"""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from lti_tool.models import LtiRegistration
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import Panel

from lti.services import ensure_signing_key, new_key_pair


def url_field(label):
    return forms.URLField(label=label, max_length=200, assume_scheme="https")


class LmsPlatformForm(WagtailAdminModelForm):
    auth_url = url_field(_("Authentication request URL"))
    token_url = url_field(_("Access token URL"))
    keyset_url = url_field(_("Public keyset URL"))

    class Meta:
        labels = {
            "name": _("Name"),
            "issuer": _("Platform ID (issuer)"),
            "client_id": _("Client ID"),
            "audience": _("Access token audience"),
            "is_active": _("Active"),
        }
        help_texts = {
            "name": _("How this LMS is called in this admin, e.g. “School Moodle”."),
            "issuer": _("The LMS's own URL as its launches name it, e.g. https://moodle.school.ee."),
            "client_id": _("The id the LMS gave this tool when it was registered there."),
            "audience": _("Only when the LMS says its token endpoint expects another audience than its URL."),
            "is_active": _("Launches from an inactive LMS are refused."),
        }

    def save(self, commit=True):
        platform = super().save(commit)
        ensure_signing_key()  # the LMS reads the tool's public key from /lti/jwks/ as soon as it is registered
        return platform


class LmsDeploymentForm(WagtailAdminModelForm):
    class Meta:
        labels = {"registration": _("LMS"), "deployment_id": _("Deployment ID"), "is_active": _("Active")}
        help_texts = {
            "deployment_id": _("Moodle shows it on the tool's “Tool configuration details” as “Deployment ID”."),
            "organisation": _("LMS courses launched through this deployment become classes of this organisation."),
            "is_active": _("Launches through an inactive deployment are refused."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registration"].queryset = LtiRegistration.objects.filter(lmsplatform__isnull=False)


class KeyForm(WagtailAdminModelForm):
    """A new key pair is generated on "create"; afterwards only whether it is published can change."""

    class Meta:
        labels = {"is_active": _("Active (published and used for signing)")}

    def save(self, commit=True):
        if self.instance._state.adding:
            self.instance.public_key, self.instance.private_key = new_key_pair()
        return super().save(commit)


class ToolUrlsPanel(Panel):
    """What to enter in the LMS when registering this tool: its URLs on this site."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "lti/admin/tool_urls_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            absolute = self.request.build_absolute_uri
            login = reverse("lti:login_for", args=[self.instance.uuid]) if self.instance.pk else reverse("lti:login")
            launch = absolute(reverse("lti:launch"))
            context["urls"] = [
                (_("Tool URL"), launch),
                (_("Initiate login URL"), absolute(login)),
                (_("Redirection URI(s)"), launch),
                (_("Public keyset URL (tool)"), absolute(reverse("lti:jwks"))),
                (_("Content selection (deep linking) URL"), launch),
            ]
            context["page_link"] = absolute(reverse("lti:page", args=[0])).replace("/0/", "/<id>/")
            return context
