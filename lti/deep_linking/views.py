"""The picker a teacher sees inside the LMS after a deep-linking launch, and the signed answer it posts back.

Only the session the launch logged in can see or answer its request (``open_deep_link``); the pick is a
CSRF-protected form. The answer page posts the signed JWT to the LMS by itself (a static script; the
Content-Security-Policy lets this one page's form go to the LMS's return URL).
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from lti.exceptions import LaunchRefused
from lti.launches.views import refusal
from lti.models import origin_of

from .forms import PickForm
from .selectors import pickable_courses
from .services import answer_deep_link, open_deep_link


@login_required
@require_http_methods(["GET", "POST"])
def pick(request):
    form = PickForm(request.POST or None, initial={"launch": request.GET.get("launch", "")})
    launch_id = request.POST.get("launch") if request.method == "POST" else request.GET.get("launch", "")
    try:
        lti_launch = open_deep_link(request, launch_id)
    except LaunchRefused as refused:
        return refusal(request, refused.message, refused.status)
    if request.method == "POST" and form.is_valid():
        return_url, jwt = answer_deep_link(request, lti_launch, form.cleaned_data["page"])
        response = render(request, "lti/deep_linking/answer.html", {"return_url": return_url, "jwt": jwt})
        if origin := origin_of(return_url):
            response._csp_update = {"form-action": [origin]}
        return response
    status = 400 if request.method == "POST" else 200
    return render(request, "lti/deep_linking/pick.html", {"form": form, "choices": pickable_courses()}, status=status)
