"""Who is calling: an organisation's bearer token, its scope, and the rate limits (cms.ratelimit).

Each token has its own allowance (``API_RATE_LIMIT``). Calls that bring no valid token (the
public endpoints, and unknown or revoked tokens) count against their client address instead
(``API_ANONYMOUS_RATE_LIMIT``), so nobody can use the API unmetered or try keys at speed.
A read token calling a write endpoint gets 403; an unknown or revoked one 401.
"""

from django.conf import settings
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from api.models import ApiToken
from api.tokens.selectors import active_token
from api.tokens.services import record_use
from api.v1.errors import ApiError
from cms.login_throttling import client_ip
from cms.ratelimit import Rate, RateLimit


def count_token_call(token):
    RateLimit("api-token", Rate.parse(settings.API_RATE_LIMIT)).hit(token.pk)


def count_anonymous_call(request):
    RateLimit("api-anonymous", Rate.parse(settings.API_ANONYMOUS_RATE_LIMIT)).hit(client_ip(request))


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; ``request.auth`` becomes the ApiToken (with its organisation)."""

    def __init__(self, scope=ApiToken.Scope.READ):
        super().__init__()
        self.scope = scope

    def authenticate(self, request, token):
        found = active_token(token)
        if found is None:
            count_anonymous_call(request)
            return None
        count_token_call(found)
        if self.scope == ApiToken.Scope.WRITE and found.scope != ApiToken.Scope.WRITE:
            raise ApiError(403, "write_scope_required", _("This token may only read. Changes need a write token."))
        record_use(found)
        return found


read_token = TokenAuth()
write_token = TokenAuth(scope=ApiToken.Scope.WRITE)
