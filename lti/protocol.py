"""LTI 1.3 messages through pylti1p3, configured for this site; django-lti's models, not its views.

django-lti's tool configuration and models are reused as they are. Its views and pylti1p3's defaults
are not, for these reasons:

* pylti1p3 checks that a launch's nonce was issued, but never retires it: the same id_token and
  state could be posted again for a day and log its user in again. Here a nonce is deleted as it is
  checked (``OneTimeNonceSession``), so a launch is accepted once.
* django-lti's tool configuration stores an (inactive) deployment for every deployment id a platform
  sends; here only deployments registered in the admin, with an organisation, are accepted
  (``ToolConfig``), and the OIDC log-in may name its registration by UUID when the LMS sends no client id.
* pylti1p3 makes its state cookie ``SameSite=None`` only over HTTPS, so inside an LMS frame the browser
  would not send it with the launch; here it always is (``lti.framing`` also partitions it in a frame).
* django-lti's cookie check page and pylti1p3's deep-linking form are inline scripts, which this
  site's Content-Security-Policy refuses; the views render templates with a static script instead.
* pylti1p3's HTTP calls to the LMS have no timeout; here every one has ``LTI_HTTP_TIMEOUT_SECONDS``.
* pylti1p3 accepts an id_token without ``exp`` or ``iat``; here both are required.
"""

import requests
from django.conf import settings
from lti_tool.models import LtiLaunch
from lti_tool.utils import DjangoToolConfig
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.contrib.django.cookie import DjangoCookieService
from pylti1p3.contrib.django.request import DjangoRequest
from pylti1p3.contrib.django.session import DjangoSessionService
from pylti1p3.deployment import Deployment
from pylti1p3.service_connector import REQUESTS_USER_AGENT

from lti.models import LmsDeployment, LmsPlatform

# The nonce and state of an OIDC log-in are good for this long: the LMS answers it within seconds.
LOGIN_LIFETIME_SECONDS = 10 * 60
# A validated launch is kept this long, for a teacher to finish picking content for a deep link.
LAUNCH_LIFETIME_SECONDS = 60 * 60
# The LMS's public keys are fetched at most this often (a new key is found once the cache expires).
PLATFORM_KEYS_CACHE_SECONDS = 5 * 60
JWT_OPTIONS = {"verify_aud": False, "require": ["exp", "iat"]}  # pylti1p3 compares aud with the client id itself


class ToolConfig(DjangoToolConfig):
    """Registrations and deployments from the admin: active LMS platforms, their active deployments only."""

    def find_registration_by_params(self, iss, client_id, *args, **kwargs):
        platforms = LmsPlatform.objects.active().filter(issuer=iss)
        if self.registration_uuid is not None:
            platforms = platforms.filter(uuid=self.registration_uuid)
        if client_id is not None or self.registration_uuid is None:
            platforms = platforms.filter(client_id=client_id)
        self.registration = platforms.first()
        return self.registration.to_registration() if self.registration else None

    def find_deployment_by_params(self, iss, deployment_id, client_id, *args, **kwargs):
        if self.registration is None:
            return None
        self.deployment = (
            LmsDeployment.objects.active()
            .select_related("organisation")
            .filter(registration=self.registration, deployment_id=deployment_id)
            .first()
        )
        return Deployment().set_deployment_id(deployment_id) if self.deployment else None


class LaunchStorage(DjangoCacheDataStorage):
    """pylti1p3's cache storage, which can also take a value out exactly once."""

    def consume(self, key) -> bool:
        """Delete ``key``; True only for the one caller that found it (an atomic delete in Redis)."""
        return bool(self._get_cache().delete(self._prepare_key(key)))


class OneTimeNonceSession(DjangoSessionService):
    """A nonce issued at log-in is good for one launch: checking it retires it."""

    def check_nonce(self, nonce) -> bool:
        return self.data_storage.consume(self._get_key("nonce", nonce))


class StateCookies(DjangoCookieService):
    """The state cookie travels with the LMS's cross-site form post, so it must be ``SameSite=None; Secure``.

    Browsers keep ``Secure`` cookies over plain HTTP only for ``localhost``: elsewhere LTI needs HTTPS.
    """

    def update_response(self, response):
        for key, cookie in self._cookie_data_to_set.items():
            response.set_cookie(
                key, cookie["value"], max_age=cookie["exp"], path="/", secure=True, httponly=True, samesite="None"
            )


class TimeoutSession(requests.Session):
    """Every call to an LMS gives up after ``LTI_HTTP_TIMEOUT_SECONDS`` instead of holding a worker forever."""

    def __init__(self):
        super().__init__()
        self.headers["User-Agent"] = REQUESTS_USER_AGENT

    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", settings.LTI_HTTP_TIMEOUT_SECONDS)
        return super().request(*args, **kwargs)


def _storage(request):
    storage = LaunchStorage()
    storage.set_request(DjangoRequest(request))
    return storage


def oidc_login(request, registration_uuid=None) -> DjangoOIDCLogin:
    """The OIDC log-in started by an LMS (third-party initiated login), ready to ``redirect(launch_url)``."""
    login = DjangoOIDCLogin(
        request,
        ToolConfig(registration_uuid),
        session_service=OneTimeNonceSession(request),
        cookie_service=StateCookies(DjangoRequest(request)),
    )
    # Set here rather than passed in, so that the lifetime applies to the cache it is stored in.
    return login.set_launch_data_storage(_storage(request)).set_launch_data_lifetime(LOGIN_LIFETIME_SECONDS)


def _message_launch(request) -> DjangoMessageLaunch:
    launch = DjangoMessageLaunch(
        request,
        ToolConfig(),
        session_service=OneTimeNonceSession(request),
        cookie_service=StateCookies(DjangoRequest(request, post_only=True)),
        launch_data_storage=_storage(request),
        requests_session=TimeoutSession(),
    )
    launch.set_public_key_caching(_storage(request), cache_lifetime=PLATFORM_KEYS_CACHE_SECONDS)
    launch.set_launch_data_lifetime(LAUNCH_LIFETIME_SECONDS)
    return launch.set_jwt_verify_options(JWT_OPTIONS)


def validated_launch(request) -> LtiLaunch:
    """The launch posted to this request, validated (state, nonce, registration, signature, deployment, message).

    Raises pylti1p3's LtiException, with the reason, when any check fails.
    """
    launch = _message_launch(request)
    launch.validate()
    return LtiLaunch(launch)


def restored_launch(request, launch_id) -> LtiLaunch:
    """A launch validated earlier in this browser, from the cache (LtiException once it expired)."""
    launch = DjangoMessageLaunch.from_cache(
        launch_id,
        request,
        ToolConfig(),
        session_service=OneTimeNonceSession(request),
        cookie_service=StateCookies(DjangoRequest(request, post_only=True)),
        launch_data_storage=_storage(request),
    )
    return LtiLaunch(launch)
