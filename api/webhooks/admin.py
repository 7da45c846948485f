"""The Wagtail admin of webhooks: endpoints (add, edit, delete) and the delivery log (read only).

Site administrators register an organisation's endpoints, as they create its API tokens: users with
the models' permissions reach these pages (superusers by default). Deliveries are written by the
system only, so nobody may add or edit one there; each one's page lists its attempts.
"""

from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.views.generic import InspectView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from api.models import WebhookDelivery, WebhookEndpoint
from api.webhooks.forms import WebhookEndpointForm


class WebhookEndpointViewSet(ModelViewSet):
    model = WebhookEndpoint
    icon = "link-external"
    menu_label = _("Endpoints")
    copy_view_enabled = False
    list_display = ["url", "organisation", "events", "is_active"]
    list_filter = ["organisation", "is_active"]
    search_fields = ["url", "description"]
    edit_handler = ObjectList(
        [
            FieldPanel("organisation"),
            FieldPanel("url"),
            FieldPanel("description"),
            FieldPanel("events"),
            FieldPanel("secret"),
            FieldPanel("is_active"),
        ],
        base_form_class=WebhookEndpointForm,
    )


class ReadOnlyPolicy(ModelPermissionPolicy):
    """The model's own permissions, without add and change: rows come from the system, not from people."""

    def user_has_permission(self, user, action):
        return action not in ("add", "change") and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(WebhookDelivery, ReadOnlyPolicy(WebhookDelivery))


class DeliveryInspectView(InspectView):
    def get_attempts_display_value(self):
        return render_to_string("api/admin/delivery_attempts.html", {"attempts": self.object.attempts.all()})


class WebhookDeliveryViewSet(ModelViewSet):
    model = WebhookDelivery
    icon = "list-ul"
    menu_label = _("Deliveries")
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_class = DeliveryInspectView
    inspect_view_fields = [
        "uuid",
        "endpoint",
        "event",
        "status",
        "attempt_count",
        "next_attempt_at",
        "created_at",
        "delivered_at",
        "body",
        "attempts",
    ]
    list_display = ["created_at", "event", "endpoint", "status", "attempt_count", "next_attempt_at"]
    list_filter = ["status", "event", "endpoint__organisation"]
    form_fields = []


class WebhooksViewSetGroup(ViewSetGroup):
    menu_label = _("Webhooks")
    menu_icon = "link-external"
    menu_order = 320
    items = (WebhookEndpointViewSet("webhook_endpoints"), WebhookDeliveryViewSet("webhook_deliveries"))
