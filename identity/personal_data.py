"""Identity's part of a person's data download: their links to sign-in providers, with what each provider said.

Deleting the account deletes the links (allauth's ``SocialAccount`` rows cascade) and the records of
which memberships came from claims (they go with the memberships).
"""

from allauth.socialaccount.models import SocialAccount
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cms.accounts.personal_data import Section

from .accounts.selectors import configured_providers


def sign_in_section(user) -> Section:
    names = {app.provider_id: app.name for app in configured_providers()}
    links = SocialAccount.objects.filter(user=user).order_by("date_joined")
    return Section(
        "sign_in_providers",
        _("Sign-in providers"),
        [
            {
                "provider": names.get(link.provider, link.provider),
                "subject": link.uid,
                "linked_at": link.date_joined,
                "last_sign_in": link.last_login,
                "claims": link.extra_data,
            }
            for link in links
        ],
        columns=(
            ("provider", gettext_lazy("Provider")),
            ("subject", gettext_lazy("Your identifier there")),
            ("linked_at", gettext_lazy("Linked")),
            ("last_sign_in", gettext_lazy("Last sign-in")),
        ),
        description=_(
            "What each provider told this site about you at your last sign-in is in data.json, under claims."
        ),
    )
