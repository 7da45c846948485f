"""Reads for API tokens: the token behind a key, and the tokens an organisation admin sees and may revoke."""

from django.shortcuts import get_object_or_404

from api.models import ApiToken
from api.tokens.keys import hash_key
from lessons.organisations.selectors import administered_organisations


def active_token(key):
    """The unrevoked token whose key this is, with its organisation; None for anything else."""
    return (
        ApiToken.objects.select_related("organisation").filter(key_hash=hash_key(key), revoked_at__isnull=True).first()
    )


def organisation_tokens(organisation):
    return organisation.api_tokens.all()


def get_administered_token_or_404(user, pk):
    """Only an admin of the token's organisation reaches it; for anyone else it does not exist."""
    return get_object_or_404(ApiToken.objects.filter(organisation__in=administered_organisations(user)), pk=pk)
