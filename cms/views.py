from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from cms.forms import LanguageForm, SignupForm
from cms.languages import (
    current_language,
    home_url,
    preferred_language,
    save_preferred_language,
    set_language_cookie,
    url_in_language,
)


def _safe_next(request, url, default="/"):
    """``url`` when it stays on this site, else ``default``."""
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return default


@sensitive_post_parameters("password1", "password2")
def signup(request):
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.user.is_authenticated:
        return redirect(next_url)
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        language = current_language()
        save_preferred_language(user, language)  # the language the person signed up in
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return set_language_cookie(redirect(next_url), language)
    status = 400 if request.method == "POST" else 200
    return render(request, "registration/signup.html", {"form": form, "next": next_url}, status=status)


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
