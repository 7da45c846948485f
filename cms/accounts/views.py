"""The account page: download your data, delete your account. Only ever the signed-in person's own."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cms.languages import current_language, home_url
from cms.ratelimit import Rate, RateLimit, RateLimited

from .forms import DeleteAccountForm
from .personal_data import build_archive
from .services import delete_account

# The delete form would otherwise let whoever holds a session guess the account's password.
WRONG_PASSWORDS = RateLimit("account-delete-wrong-password", Rate(count=5, seconds=15 * 60))


def try_again_message(limited: RateLimited) -> str:
    return ngettext(
        "Too many attempts in a short time. Please try again in %(minutes)d minute.",
        "Too many attempts in a short time. Please try again in %(minutes)d minutes.",
        limited.minutes,
    ) % {"minutes": limited.minutes}


def refused(request, template, context, limited: RateLimited):
    response = render(request, template, {**context, "error": try_again_message(limited)}, status=429)
    response["Retry-After"] = str(limited.retry_after)
    return response


@login_required
@require_GET
def account(request):
    return render(request, "cms/account/account.html")


@login_required
@require_POST
def download_data(request):
    """The archive of the person's data; a POST, so prefetching a link cannot use up the rate limit."""
    try:
        # Each archive reads every table the apps keep about the person: cheap once, not in a loop.
        RateLimit("personal-data-download", Rate.parse(settings.PERSONAL_DATA_DOWNLOAD_RATE_LIMIT)).hit(request.user.pk)
    except RateLimited as limited:
        return refused(request, "cms/account/account.html", {}, limited)
    filename, content = build_archive(request.user)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "no-store"
    return response


@sensitive_post_parameters("password")
@login_required
@require_http_methods(["GET", "POST"])
def delete(request):
    """GET: what deleting means, and the password form. POST: delete, log out, go home."""
    template = "cms/account/delete.html"
    if request.method == "GET":
        return render(request, template, {"form": DeleteAccountForm(request.user)})
    form = DeleteAccountForm(request.user, request.POST)
    try:
        WRONG_PASSWORDS.check(request.user.pk)
    except RateLimited as limited:
        return refused(request, template, {"form": DeleteAccountForm(request.user)}, limited)
    if not form.is_valid():
        if form.has_error("password", "wrong_password"):
            WRONG_PASSWORDS.hit(request.user.pk)
        return render(request, template, {"form": form}, status=400)
    language = current_language()
    delete_account(request.user)
    logout(request)
    messages.success(request, _("Your account has been deleted, and your data with it."))
    return redirect(home_url(language))
