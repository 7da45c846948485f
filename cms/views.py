from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from cms.forms import LanguageForm, SignupForm
from cms.languages import (
    home_url,
    preferred_language,
    save_preferred_language,
    set_language_cookie,
    url_in_language,
)
from cms.signup import SignupConflict, confirm_signup, pending_signup, request_signup_with_form


def _safe_next(request, url, default="/"):
    """``url`` when it stays on this site, else ``default``."""
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return default


@sensitive_post_parameters("password1", "password2")
def signup(request):
    """The sign-up form; every valid sign-up ends on the same "check your inbox" page (see cms.signup)."""
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"), default="")
    if request.user.is_authenticated:
        return redirect(next_url or "/")
    form = SignupForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and request_signup_with_form(form, next_url=next_url, absolute_url=request.build_absolute_uri)
    ):
        return redirect("signup_sent")
    status = 400 if request.method == "POST" else 200
    return render(request, "registration/signup.html", {"form": form, "next": next_url}, status=status)


def signup_sent(request):
    return render(request, "registration/signup_sent.html")


def signup_confirm(request, token):
    """The link mailed at sign-up: a button first (mail scanners open links but press no buttons), then the account."""
    signup_request = pending_signup(token)
    if signup_request is None:
        return render(request, "registration/signup_confirm.html", {"expired": True}, status=404)
    if request.method != "POST":
        return render(request, "registration/signup_confirm.html", {"signup_request": signup_request})
    try:
        user = confirm_signup(signup_request)
    except SignupConflict as conflict:
        context = {"signup_request": signup_request, "conflict": conflict.field}
        return render(request, "registration/signup_confirm.html", context, status=409)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    next_url = _safe_next(request, signup_request.next_url, default=reverse("welcome"))
    return set_language_cookie(redirect(next_url), signup_request.language)


@login_required
def welcome(request):
    """Where a new account starts: join a class with its code, or browse the courses."""
    return render(request, "registration/welcome.html")


class LoginView(auth_views.LoginView):
    """Django's log-in, then the site in the language saved on the account (page and cookie)."""

    saved_language = None

    def form_valid(self, form):
        self.saved_language = preferred_language(form.get_user())
        response = super().form_valid(form)  # logs in, then asks get_success_url() where to go
        return set_language_cookie(response, self.saved_language) if self.saved_language else response

    def get_success_url(self):
        url = super().get_success_url()
        return url_in_language(self.request, url, self.saved_language) if self.saved_language else url


@require_POST
def language(request):
    """Switch the interface language: saved on the account when signed in, then on to ``next``.

    The switcher has already worked out ``next``, the page being read in the new language (see
    ``cms.languages``); an off-site or missing ``next`` opens that language's home page instead.
    """
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Unknown language."))
    chosen = form.cleaned_data["language"]
    if request.user.is_authenticated:
        save_preferred_language(request.user, chosen)
    next_url = _safe_next(request, form.cleaned_data["next"], default=home_url(chosen))
    return set_language_cookie(redirect(next_url), chosen)
