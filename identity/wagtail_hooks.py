"""How sign-in providers plug into the site: buttons on the log-in and sign-up pages, account deletion
without a password, the data download, and the claim mappings in the Wagtail admin.

``cms`` names none of this: its pages have slots (``cms/templatetags/extension_points.py``) that
these hooks fill, so the site is the same without ``identity``, only without the buttons.
"""

from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .accounts.selectors import configured_providers, linked_accounts
from .deletion.services import recently_reauthenticated
from .mappings.forms import ClaimMappingForm
from .models import ClaimMapping
from .personal_data import sign_in_section


@hooks.register("login_options")
def sign_in_buttons(context):
    """A "Continue with <provider>" button per configured provider, carrying the page's ``next`` along."""
    request = context["request"]
    providers = configured_providers(request)
    if not providers:
        return ""
    return render_to_string(
        "identity/includes/login_options.html",
        {"providers": providers, "next": context.get("next", "")},
        request=request,
    )


@hooks.register("account_deletion_without_password")
def confirm_deletion_with_provider(context):
    """Sign in again at the provider, then delete (``identity.deletion``)."""
    request = context["request"]
    confirmed = recently_reauthenticated(request)
    return render_to_string(
        "identity/includes/account_deletion.html",
        {"confirmed": confirmed, "links": [] if confirmed else linked_accounts(request.user)},
        request=request,
    )


@hooks.register("personal_data_sections")
def sign_in_data(user):
    return [sign_in_section(user)]


class ClaimMappingViewSet(SnippetViewSet):
    """Site administrators say here which provider claims make someone a member of which organisation.

    Only users with the model permissions (superusers by default): trusting a provider for the
    teacher role lets it decide who reads learners' results.
    """

    model = ClaimMapping
    icon = "key"
    menu_label = gettext_lazy("Sign-in mappings")
    menu_order = 320
    add_to_admin_menu = True
    list_display = ["organisation", "provider_id", "organisation_claim", "organisation_value", "trusts_teacher_role"]
    list_filter = ["provider_id", "trusts_teacher_role"]
    search_fields = ["organisation__name", "organisation_value"]
    edit_handler = ObjectList(
        [
            FieldPanel("organisation"),
            FieldPanel("provider_id"),
            MultiFieldPanel(
                [FieldPanel("organisation_claim"), FieldPanel("organisation_value")],
                heading=gettext_lazy("Who belongs"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("role_claim"),
                    FieldPanel("teacher_values"),
                    FieldPanel("learner_values"),
                    FieldPanel("trusts_teacher_role"),
                ],
                heading=gettext_lazy("In which role"),
            ),
        ],
        base_form_class=ClaimMappingForm,
    )


register_snippet(ClaimMappingViewSet)
