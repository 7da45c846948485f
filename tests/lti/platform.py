"""An LMS on loopback for the LTI tests, built on the independent ``lti1p3platform`` library.

It plays the platform's whole part over real HTTP: a course page framing the tool, third-party
initiated log-in, the OIDC authorisation endpoint that signs launch and deep-linking id_tokens with
its own RSA key, its JWKS, the OAuth 2 token endpoint (client credentials with a JWT the tool signs),
Assignment and Grade Services line items and scores, and the deep-linking return URL that checks the
tool's signed answer. lti1p3platform does the protocol work (claims, signing, token checks, AGS
handlers); this module only routes WSGI requests to it and keeps what it receives.

A launch is described by a ``Launch`` and registered under a hint (``add_launch``); the hint travels
as ``lti_message_hint`` like a real LMS's. Fields named ``*_override`` tamper with the signed
id_token only (not the log-in), for the tests of what the tool must refuse.
"""

import functools
import html
import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from socketserver import ThreadingMixIn
from urllib.parse import parse_qsl
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import jwt
from jwcrypto.jwk import JWK
from lti1p3platform.exceptions import LineItemNotFoundException
from lti1p3platform.framework.templates import template as launch_form
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request
from lti1p3platform.score import UpdateScoreStatus
from lti1p3platform.service_connector import AssignmentsGradesService

INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
MENTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"


def new_private_key():
    return JWK.generate(kty="RSA", size=2048).export_to_pem(private_key=True, password=None).decode()


# One key for every test platform in a run: generating RSA keys is the slow part of setting one up.
PLATFORM_KEY = functools.cache(new_private_key)


def public_key_of(private_pem):
    return JWK.from_pem(private_pem.encode()).export_to_pem().decode()


@dataclass
class Launch:
    user_id: str
    roles: list = field(default_factory=lambda: [LEARNER])
    given_name: str = "Mari"
    family_name: str = "Maasikas"
    email: str = ""
    context_id: str | None = "course-1"
    context_title: str = "7B AI literacy"
    resource_link_id: str = "link-1"
    target_link_uri: str | None = None  # default: the tool's launch URL
    custom: dict | None = None
    deep_linking: bool = False
    ags: bool = True
    line_item: str | None = None  # a line item URL of this platform for the link (else the tool finds or makes one)
    locale: str = "en"
    deployment_id: str | None = None  # default: the platform's
    issuer_override: str | None = None
    client_id_override: str | None = None
    forge_signature: bool = False  # sign with another key under the platform's key id


class ForgedRegistration(Registration):
    """Signs with a stranger's key but claims the platform's key id: the signature cannot verify."""

    def __init__(self, genuine_kid):
        self._genuine_kid = genuine_kid

    def get_kid(self):
        return self._genuine_kid


class Platform:
    def __init__(self, *, host="127.0.0.1", client_id="tool-client-1", deployment_id="deployment-1"):
        self.host = host
        self.client_id = client_id
        self.deployment_id = deployment_id
        self.private_key = PLATFORM_KEY()
        self.tool_url = ""  # the tool's base URL, e.g. http://localhost:8081
        self.tool_key_set = None  # the tool's JWKS when it cannot be fetched over HTTP (tests without a live server)
        self.launches = {}
        self.line_items = {}
        self.scores = []  # (line item id, score as received)
        self.deep_link_responses = []  # the tool's decoded deep-linking answers
        self.score_failures = 0  # answer this many score posts with 503 first
        self.score_posts = 0
        self._lock = threading.Lock()
        self._server = None

    # Running

    def start(self):
        class Server(ThreadingMixIn, WSGIServer):
            daemon_threads = True

        class QuietHandler(WSGIRequestHandler):
            def log_message(self, *args):
                pass

        self._server = make_server(self.host, 0, self.app, server_class=Server, handler_class=QuietHandler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self):
        return f"http://{self.host}:{self._server.server_port}"

    @property
    def issuer(self):
        return self.url

    def tool(self, path):
        return self.tool_url.rstrip("/") + path

    # What the tool's admin registers

    def registration_fields(self):
        return {
            "issuer": self.issuer,
            "client_id": self.client_id,
            "auth_url": f"{self.url}/auth",
            "token_url": f"{self.url}/token",
            "keyset_url": f"{self.url}/jwks",
        }

    # Launches

    def add_launch(self, launch):
        hint = uuid.uuid4().hex
        self.launches[hint] = launch
        return hint

    def course_page_url(self, hint):
        return f"{self.url}/course/{hint}"

    def login_url(self, hint):
        """Where the platform sends the browser to start ``hint``'s launch: the tool's log-in initiation."""
        launch = self.launches[hint]
        login = Login(None, Conf(platform=self, launch=None))
        login.set_lti_message_hint(hint=hint)
        login.set_launch_url(self._target(launch))
        return login.initiate_login(launch.user_id)

    def _target(self, launch):
        return launch.target_link_uri or self.tool("/lti/launch/")  # deep linking: the registered URL (below)

    def registration(self, launch=None):
        """lti1p3platform's registration; a launch's overrides change what its id_token says and who signs it."""
        if launch is not None and launch.forge_signature:
            genuine_kid = Registration.get_jwk(public_key_of(self.private_key))["kid"]
            registration = ForgedRegistration(genuine_kid).set_platform_private_key(new_private_key())
        else:
            registration = Registration().set_platform_private_key(self.private_key)
        registration.set_platform_public_key(public_key_of(self.private_key))
        registration.set_iss((launch and launch.issuer_override) or self.issuer)
        registration.set_client_id((launch and launch.client_id_override) or self.client_id)
        registration.set_deployment_id((launch and launch.deployment_id) or self.deployment_id)
        registration.set_oidc_login_url(self.tool("/lti/login/"))
        registration.set_launch_url(self.tool("/lti/launch/"))
        registration.set_deeplink_launch_url(self.tool("/lti/launch/"))
        if self.tool_key_set is not None:
            registration.set_tool_key_set(self.tool_key_set)
        else:
            registration.set_tool_key_set_url(self.tool("/lti/jwks/"))
        return registration

    def _launch_response(self, request):
        """The authorisation endpoint: the id_token for the hinted launch, in a form that posts itself to the tool."""
        params = request.get_data or request.form_data
        launch = self.launches.get(params.get("lti_message_hint", ""))
        if launch is None or params.get("login_hint") != launch.user_id:
            return HTTPStatus.BAD_REQUEST, "text/plain", "Unknown launch."
        if params.get("redirect_uri") != self.tool("/lti/launch/"):
            return HTTPStatus.BAD_REQUEST, "text/plain", "The redirect URI is not registered."
        message = MessageLaunch(request, Conf(platform=self, launch=launch))
        message.set_launch_url(self._target(launch))
        message.set_user_data(launch.user_id, launch.roles, f"{launch.given_name} {launch.family_name}", launch.email)
        message.set_extra_claims(
            {
                "given_name": launch.given_name,
                "family_name": launch.family_name,
                "https://purl.imsglobal.org/spec/lti/claim/launch_presentation": {
                    "document_target": "iframe",
                    "locale": launch.locale,
                    "return_url": f"{self.url}/return",
                },
            }
        )
        if launch.context_id is not None:
            message.set_launch_context_claim(
                launch.context_id,
                ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
                launch.context_title,
            )
        if launch.custom:
            message.set_custom_parameters_claim(launch.custom)
        if launch.deep_linking:
            opaque = {"opaque": params["lti_message_hint"]}  # the LMS's own data, which must come back
            message.set_dl(f"{self.url}/deep-link-return", title="Add an activity", extra_data=opaque)
        else:
            message.set_resource_link_claim(launch.resource_link_id, title="A lesson")
            if launch.ags:
                message.set_ags(f"{self.url}/lineitems", launch.line_item, allow_creating_lineitems=True)
        return HTTPStatus.OK, "text/html", message.lti_launch()

    # Grades

    def _grades(self, request):
        return Grades(request, Conf(platform=self, launch=None), self)

    def scores_for(self, user_id):
        return [score for _item, score in self.scores if score.get("userId") == user_id]

    # Deep linking

    def _deep_link_return(self, request):
        conf = Conf(platform=self, launch=None)
        token = request.form_data.get("JWT", "")
        items = conf.validate_deeplinking_resp({"JWT": token})  # signature (tool's JWKS) and message type
        claims = jwt.decode(token, options={"verify_signature": False})
        with self._lock:
            self.deep_link_responses.append({"claims": claims, "items": items})
        titles = ", ".join(html.escape(item.get("title", "")) for item in items)
        return HTTPStatus.OK, "text/html", f"<h1>Activity added</h1><p>Received: {titles}</p>"

    # HTTP

    def app(self, environ, start_response):
        request = WsgiRequest(environ)
        headers = []
        try:
            status, content_type, body = self._route(request, request.path)
        except Redirect as redirect:
            status, content_type, body = HTTPStatus.FOUND, "text/plain", ""
            headers.append(("Location", redirect.location))
        except Unavailable:
            status, content_type, body = HTTPStatus.SERVICE_UNAVAILABLE, "text/plain", "Try again later."
        except Exception as error:  # a refusal by lti1p3platform is the platform's answer, shown to the test
            status, content_type, body = HTTPStatus.BAD_REQUEST, "text/plain", f"{type(error).__name__}: {error}"
        start_response(f"{status.value} {status.phrase}", [("Content-Type", content_type), *headers])
        return [body.encode()]

    def _route(self, request, path):
        if match := re.fullmatch(r"/course/(\w+)", path):
            return HTTPStatus.OK, "text/html", self._course_page(match[1])
        if match := re.fullmatch(r"/launch/(\w+)", path):
            raise Redirect(self.login_url(match[1]))
        if path == "/auth":
            return self._launch_response(request)
        if path == "/jwks":
            return HTTPStatus.OK, "application/json", json.dumps({"keys": self.registration().get_jwks()})
        if path == "/token":
            token = Conf(platform=self, launch=None).get_access_token(request.form_data)
            return HTTPStatus.OK, "application/json", json.dumps(token)
        if path == "/deep-link-return":
            return self._deep_link_return(request)
        if path == "/lineitems":
            service = self._grades(request)
            handler = service.handle_create_lineitem if request.method == "POST" else service.handle_get_lineitems
            return json_response(handler())
        if match := re.fullmatch(r"/lineitems/(\d+)/scores", path):
            return json_response(self._grades(request).handle_update_score(match[1]))
        if match := re.fullmatch(r"/lineitems/(\d+)", path):
            return json_response(self._grades(request).handle_get_lineitem(match[1]))
        return HTTPStatus.NOT_FOUND, "text/plain", "Not found."

    def _course_page(self, hint):
        return (
            "<!DOCTYPE html><html><head><title>LMS course</title></head><body><h1>LMS course</h1>"
            f'<iframe title="Activity" src="/launch/{hint}" width="1100" height="800"></iframe></body></html>'
        )


class Redirect(Exception):  # an answer, not an error
    def __init__(self, location):
        self.location = location


class Unavailable(Exception):
    """The platform is down for a moment: the score endpoint answers 503."""


def json_response(response):
    status = HTTPStatus(response.code)
    if 200 <= response.code < 300:
        data = response.result["content"] if response.result and "content" in response.result else response.result
        return status, response.media_type, json.dumps(data) if data is not None else ""
    return status, "application/json", json.dumps({"error": response.message})


class WsgiRequest(Request):
    """lti1p3platform's request interface over a WSGI environ."""

    def build_metadata(self, environ):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        content_type = environ.get("CONTENT_TYPE", "")
        headers = {
            key[5:].replace("_", "-").title(): value for key, value in environ.items() if key.startswith("HTTP_")
        }
        return {
            "method": environ["REQUEST_METHOD"],
            "form_data": dict(parse_qsl(body.decode())) if "form-urlencoded" in content_type else {},
            "json": json.loads(body) if body and "json" in content_type else None,
            "get_data": dict(parse_qsl(environ.get("QUERY_STRING", ""))),
            "headers": headers,
            "content_type": content_type,
            "path": environ.get("PATH_INFO", "/"),
        }


class Conf(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, platform, launch):
        self.platform = platform
        self.launch = launch
        self.get_registration()

    def get_registration_by_params(self, **kwargs):
        return self.platform.registration(self.launch)


class Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs):
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url):
        return url


class MessageLaunch(LTIAdvantageMessageLaunchAbstract):
    def validate_preflight_response(self, preflight_response):
        """The tool's authorisation request names the genuine client, whatever the id_token will claim."""
        genuine, self._registration = self._registration, self._platform_config.platform.registration()
        try:
            super().validate_preflight_response(preflight_response)
        finally:
            self._registration = genuine

    def render_launch_form(self, launch_data, **kwargs):
        return launch_form.render(launch_data)


class Grades(AssignmentsGradesService):
    """Line items and scores kept in the platform's memory."""

    def __init__(self, request, conf, platform):
        super().__init__(request, conf, lineitems_url=f"{platform.url}/lineitems", allow_creating_lineitems=True)
        self.platform = platform

    def find_lineitems(self, page=1, limit=None, line_item_id=None, resource_link_id=None, resource_id=None, tag=None):
        items = list(self.platform.line_items.values())
        if resource_link_id:
            items = [item for item in items if item.get("resourceLinkId") == resource_link_id]
        return {"content": items, "has_next": False, "next": None}

    def find_lineitem(self, line_item_id):
        try:
            return self.platform.line_items[self._url(line_item_id)]
        except KeyError as missing:
            raise LineItemNotFoundException from missing

    def create_lineitem(self, creation_data):
        with self.platform._lock:
            url = self._url(str(len(self.platform.line_items) + 1))
            self.platform.line_items[url] = {**creation_data, "id": url}
        return self.platform.line_items[url]

    def update_lineitem(self, update_data):
        self.find_lineitem(update_data["id"]).update(update_data)
        return update_data

    def delete_lineitem(self, line_item_id):
        self.platform.line_items.pop(self._url(line_item_id))

    def update_score(self, line_item_id, score):
        self.find_lineitem(line_item_id)
        with self.platform._lock:
            self.platform.score_posts += 1
            if self.platform.score_failures > 0:
                self.platform.score_failures -= 1
                raise Unavailable
            self.platform.scores.append((self._url(line_item_id), score))
        return UpdateScoreStatus.SUCCESS

    def get_results(self, line_item_id, page=1, limit=None, user_id=None):
        return {"content": [], "has_next": False, "next": None}

    def _url(self, line_item_id):
        return line_item_id if str(line_item_id).startswith("http") else f"{self.platform.url}/lineitems/{line_item_id}"


def launch_form_fields(page_html):
    """(action, {id_token, state}) of the platform's self-posting launch form."""
    action = html.unescape(re.search(r'action="([^"]+)"', page_html)[1])
    fields = {name: html.unescape(value) for name, value in re.findall(r'name="(\w+)" value="([^"]*)"', page_html)}
    return action, fields
