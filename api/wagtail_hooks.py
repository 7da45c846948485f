"""How the api app plugs into the site: its section on the organisation page, and the webhooks admin."""

from django.template.loader import render_to_string
from wagtail import hooks

from api.tokens.selectors import organisation_tokens
from api.webhooks.admin import WebhooksViewSetGroup
from lessons.organisations.selectors import administered_organisations


@hooks.register("organisation_page_sections")
def api_organisation_section(context, organisation):
    """Tokens (with revoke buttons) and webhook endpoints, for the organisation's admins only."""
    request = context["request"]
    if not administered_organisations(request.user).filter(pk=organisation.pk).exists():
        return ""
    return render_to_string(
        "api/includes/organisation_section.html",
        {"tokens": organisation_tokens(organisation), "endpoints": organisation.webhook_endpoints.all()},
        request=request,
    )


@hooks.register("register_admin_viewset")
def register_webhooks_admin():
    return WebhooksViewSetGroup()
