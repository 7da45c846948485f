"""Revoking a token on the organisation page: a POST behind its CSRF-protected button, by its organisation's admins."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from api.tokens.selectors import get_administered_token_or_404
from api.tokens.services import revoke_token


@login_required
@require_POST
def revoke(request, pk):
    """Anyone but an admin of the token's organisation gets a 404, whether or not the token exists."""
    token = get_administered_token_or_404(request.user, pk)
    # /api/ has no language prefix: answer in the language of the page the button was on.
    language = request.POST.get("language")
    with translation.override(language if language in dict(settings.LANGUAGES) else translation.get_language()):
        if revoke_token(token=token, revoked_by=request.user):
            messages.success(
                request,
                _("The API token %(prefix)s… is revoked: calls with it are refused.") % {"prefix": token.prefix},
            )
        else:
            messages.info(request, _("The API token %(prefix)s… was already revoked.") % {"prefix": token.prefix})
        return redirect(reverse("lessons:org:organisation", args=[token.organisation.slug]))
