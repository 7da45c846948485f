"""Writes for API tokens: make one (shown once), revoke one, note when one was used."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from api.models import ApiToken
from api.tokens.keys import PREFIX_SHOWN, hash_key, new_key

# last_used_at is written at most this often per token, not on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def create_token(*, organisation, scope=ApiToken.Scope.READ, name=""):
    """Make a token for ``organisation``; returns (token, key). The key is in no row: show it now or never."""
    key = new_key()
    token = ApiToken.objects.create(
        organisation=organisation, scope=scope, name=name.strip(), prefix=key[:PREFIX_SHOWN], key_hash=hash_key(key)
    )
    return token, key


def revoke_token(*, token, revoked_by):
    """Refuse the token from now on; returns False when it was already revoked."""
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=revoked_by
    )
    return bool(updated)


def record_use(token):
    now = timezone.now()
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
