"""Pages where teachers and organisation admins oversee the tutor: conversations, flags, access log, usage.

Every view takes the organisation from the URL and authorises the reader on it and on the object
(``tutor.oversight.selectors``); anything outside the reader's reach is a 404. Anonymous visitors are
sent to log in. One page is the learner's own: who read their conversations (``my_readings``).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, pgettext_lazy
from django.views.decorators.http import require_POST

from tutor.oversight import selectors, services
from tutor.oversight.budgets import organisation_usage

PAGE_SIZE = 50
FLAG_STATUSES = {
    "open": pgettext_lazy("flags filter", "Open"),
    "reviewed": pgettext_lazy("flags filter", "Reviewed"),
    "all": pgettext_lazy("flags filter", "All"),
}


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def index(request):
    organisations = selectors.organisations_overseen_by(request.user)
    return render(request, "tutor/oversight/index.html", {"organisations": organisations})


@login_required
def learners(request, org):
    organisation = selectors.get_overseen_organisation_or_404(request.user, org)
    return render(
        request,
        "tutor/oversight/learners.html",
        {
            "organisation": organisation,
            "roster": selectors.learner_roster(request.user, organisation),
            "is_admin": selectors.is_admin(request.user, organisation),
        },
    )


@login_required
def learner(request, org, learner_id):
    organisation = selectors.get_overseen_organisation_or_404(request.user, org)
    person = selectors.get_overseen_learner_or_404(request.user, organisation, learner_id)
    return render(
        request,
        "tutor/oversight/learner.html",
        {
            "organisation": organisation,
            "learner": person,
            "conversations": selectors.conversations_of(request.user, organisation, person),
        },
    )


@login_required
def conversation(request, org, pk):
    organisation = selectors.get_overseen_organisation_or_404(request.user, org)
    talk = selectors.get_overseen_conversation_or_404(request.user, organisation, pk)
    return render(
        request,
        "tutor/oversight/conversation.html",
        {
            "organisation": organisation,
            "conversation": talk,
            "conversation_messages": services.read_conversation(request.user, organisation, talk),
        },
    )


@login_required
def flags(request, org):
    organisation = selectors.get_overseen_organisation_or_404(request.user, org)
    status = request.GET.get("status", "open")
    if status not in FLAG_STATUSES:
        status = "open"
    return render(
        request,
        "tutor/oversight/flags.html",
        {
            "organisation": organisation,
            "is_admin": selectors.is_admin(request.user, organisation),
            "status": status,
            "statuses": FLAG_STATUSES,
            "page_obj": _page(request, selectors.flags_for_reader(request.user, organisation, status=status)),
        },
    )


@require_POST
@login_required
def review_flag(request, org, pk):
    organisation = selectors.get_overseen_organisation_or_404(request.user, org)
    flag = services.review_flag(request.user, selectors.get_overseen_flag_or_404(request.user, organisation, pk))
    messages.success(
        request,
        gettext("Marked the %(category)s flag as reviewed.") % {"category": flag.get_category_display().lower()},
    )
    return redirect(reverse("tutor:oversight:flags", args=[organisation.slug]))


@login_required
def access_log(request, org):
    organisation = selectors.get_overseen_organisation_or_404(request.user, org, admin_only=True)
    return render(
        request,
        "tutor/oversight/access_log.html",
        {"organisation": organisation, "page_obj": _page(request, selectors.access_log(organisation))},
    )


@login_required
def usage(request, org):
    organisation = selectors.get_overseen_organisation_or_404(request.user, org, admin_only=True)
    return render(
        request, "tutor/oversight/usage.html", {"organisation": organisation, "usage": organisation_usage(organisation)}
    )


@login_required
def my_readings(request):
    """The signed-in user's own list of who read their tutor conversations; it takes no id, so shows nobody else's."""
    return render(
        request, "tutor/oversight/my_readings.html", {"page_obj": _page(request, selectors.readings_of(request.user))}
    )
