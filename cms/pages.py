"""Whether a request may see a page, checked the way Wagtail's own serving checks it.

Learner endpoints that act on a page (enrol, quiz, notes, the tutor) take a page id from the URL,
so they bypass ``Page.serve`` and must repeat its checks: the page is live, no ancestor below the
root is unpublished, and the request passes every view restriction on the page and its ancestors.
"""

from django.http import Http404
from wagtail.models import Page


def viewable_page_or_404(request, queryset, page_id):
    """The page ``page_id`` from ``queryset`` if this request may view it; otherwise Http404.

    A refusal looks like a missing page, so a restricted page's existence is not revealed.
    """
    page = queryset.live().filter(pk=page_id).first()
    if (
        page is None
        or Page.objects.ancestor_of(page).filter(depth__gt=1, live=False).exists()
        or not all(restriction.accept_request(request) for restriction in page.get_view_restrictions())
    ):
        raise Http404("No such page.")
    return page
