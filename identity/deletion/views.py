"""Deleting an account without a password, once its owner has signed in again at their provider."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cms.accounts.services import delete_account
from cms.languages import current_language, home_url

from .services import recently_reauthenticated


@login_required
@require_POST
def delete(request):
    """Delete the signed-in account, if it has no password and its owner confirmed at the provider just now."""
    if request.user.has_usable_password() or not recently_reauthenticated(request):
        messages.error(request, _("Confirm who you are with your sign-in provider first, then delete the account."))
        return redirect("account:delete")
    language = current_language()
    delete_account(request.user)
    logout(request)  # also ends the proof of who they are, which lives in the session
    messages.success(request, _("Your account has been deleted, and your data with it."))
    return redirect(home_url(language))
