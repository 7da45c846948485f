"""Deep linking: a teacher in the LMS picks a lesson or course here, and the LMS gets a signed link to it.

The deep-linking launch is kept (pylti1p3's cache, an hour) under an id that only the teacher's
session holds; the picker names it, and answering it forgets it, so each request is answered once and
only in the browser it was launched in. The answer is an ``LtiDeepLinkingResponse`` signed with the
tool's key: one ``ltiResourceLink`` whose URL is the page's ``/lti/pages/<id>/`` (and the custom
parameter ``page``), with a line item of 100 points for a lesson with a quiz or a whole course (its
share of lessons completed), so the LMS makes a gradebook column the grades then go to.
"""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException
from pylti1p3.lineitem import LineItem

from lti import protocol
from lti.exceptions import LaunchRefused
from lti.grades.selectors import SCORE_MAXIMUM
from lti.launches.selectors import PAGE_PARAMETER

from .selectors import is_graded

SESSION_KEY = "lti_deep_links"
OPEN_REQUESTS = 5  # deep-linking requests one session keeps open at once (a teacher with several LMS tabs)
SETTINGS_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
RESOURCE_LINK = "ltiResourceLink"


def remember_deep_link(request, lti_launch) -> str:
    """Keep the launch for this session to answer; returns the picker's URL for it."""
    launch_id = lti_launch.get_launch_id()
    request.session[SESSION_KEY] = [*request.session.get(SESSION_KEY, []), launch_id][-OPEN_REQUESTS:]
    return f"{reverse('lti:deep_link')}?{urlencode({'launch': launch_id})}"


def open_deep_link(request, launch_id):
    """The session's deep-linking launch ``launch_id``; LaunchRefused when it is not this session's or expired."""
    if launch_id not in request.session.get(SESSION_KEY, []):
        raise LaunchRefused(_("This request to add content is not yours or was answered already."))
    try:
        lti_launch = protocol.restored_launch(request, launch_id)
    except LtiException as error:
        raise LaunchRefused(
            _("This request from your LMS has expired. Start adding the activity again."), 410
        ) from error
    if RESOURCE_LINK not in (lti_launch.get_claim(SETTINGS_CLAIM) or {}).get("accept_types", []):
        raise LaunchRefused(_("Your LMS asked for a kind of content this site does not offer."), 400)
    return lti_launch


def answer_deep_link(request, lti_launch, page):
    """Sign the response that adds ``page`` to the LMS course; returns (the LMS's return URL, the JWT).

    The launch is forgotten first: a second answer to the same request is refused.
    """
    request.session[SESSION_KEY] = [
        launch_id for launch_id in request.session.get(SESSION_KEY, []) if launch_id != lti_launch.get_launch_id()
    ]
    resource = (
        DeepLinkResource()
        .set_url(request.build_absolute_uri(reverse("lti:page", args=[page.pk])))
        .set_title(page.title)
        .set_custom_params({PAGE_PARAMETER: str(page.pk)})
    )
    if is_graded(page):
        resource.set_lineitem(
            LineItem().set_score_maximum(SCORE_MAXIMUM).set_label(page.title).set_resource_id(f"page-{page.pk}")
        )
    deep_link = lti_launch.get_message_launch().get_deep_link()
    return lti_launch.get_claim(SETTINGS_CLAIM)["deep_link_return_url"], deep_link.get_response_jwt([resource])
