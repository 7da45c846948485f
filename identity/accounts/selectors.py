"""Reads about the links between accounts here and subjects at sign-in providers."""

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialAccount


def configured_providers(request=None):
    """The OpenID Connect providers people can sign in with, as allauth apps, in configuration order."""
    return get_adapter(request).list_apps(request, provider="openid_connect")


def linked_issuer(provider_id, subject):
    """The issuer that named ``subject`` when it was linked under ``provider_id``, or None if it is not linked."""
    extra_data = SocialAccount.objects.filter(provider=provider_id, uid=subject).values_list("extra_data", flat=True)
    for data in extra_data:
        return (data.get("id_token") or {}).get("iss")
    return None


def linked_accounts(user):
    """``user``'s links to subjects at providers that are configured now, each with the provider's app."""
    apps = {app.provider_id: app for app in configured_providers()}
    return [
        (account, apps[account.provider])
        for account in SocialAccount.objects.filter(user=user).order_by("date_joined")
        if account.provider in apps
    ]


def claims_of(sociallogin):
    """Everything the provider said about the person: the ID token's claims, then userinfo's over them."""
    data = sociallogin.account.extra_data
    return {**data.get("id_token", {}), **data.get("userinfo", {})}


def verified_email(sociallogin):
    """The address the provider says it verified (``email_verified``), or ""."""
    return next((address.email for address in sociallogin.email_addresses if address.verified), "")
