"""One error body for every refusal of the API, whatever raised it: ``{"code", "message", "details"}``.

``code`` is for programs (stable, English), ``message`` for people (in the language the client
asks for with Accept-Language), ``details`` lists each invalid field of a 422. The handlers below
turn ninja's own errors (authentication, validation, unparsable bodies, 404s) and the site's rate
limit into that shape, so a client needs one parser for all of them.
"""

import math

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Field, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from cms.ratelimit import RateLimited


class ErrorDetail(Schema):
    loc: list[str | int] = Field(description="Where the problem is, e.g. ['query', 'limit'] or ['body', 'email'].")
    message: str
    type: str = Field(description="A short machine-readable kind, e.g. 'missing' or 'less_than_equal'.")


class Error(Schema):
    """Every error response of the API has this body."""

    code: str = Field(
        description=(
            "bad_request, not_authenticated, write_scope_required, not_found, conflict, validation_error, "
            "rate_limited or unavailable."
        )
    )
    message: str
    details: list[ErrorDetail] = Field(default_factory=list)


class ApiError(Exception):
    """Raised by the API's views and auth to answer with ``status`` and an Error body."""

    def __init__(self, status, code, message, details=()):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, list(details)


def errors(*statuses):
    """The ``response`` entries documenting ``statuses`` as Error bodies."""
    return dict.fromkeys(statuses, Error)


def not_found():
    return ApiError(404, "not_found", _("There is no such object, or it is not your organisation's."))


def invalid(loc, message, kind="invalid"):
    """A 422 about one field, shaped like ninja's own validation errors."""
    return ApiError(
        422, "validation_error", _("The request is not valid."), [{"loc": loc, "message": message, "type": kind}]
    )


def error_response(api, request, error):
    body = Error(code=error.code, message=str(error.message), details=error.details).model_dump()
    response = api.create_response(request, body, status=error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def install(api):
    """Answer every error of ``api`` with an Error body."""

    def respond(request, error):
        return error_response(api, request, error)

    @api.exception_handler(ApiError)
    def api_error(request, error):
        return respond(request, error)

    @api.exception_handler(AuthenticationError)
    def not_authenticated(request, error):
        message = _("Send a valid API token: Authorization: Bearer <token>. Unknown and revoked tokens are refused.")
        return respond(request, ApiError(401, "not_authenticated", message))

    @api.exception_handler(ValidationError)
    def validation_error(request, error):
        details = [
            {
                "loc": [str(part) for part in item.get("loc", ())],
                "message": item.get("msg", ""),
                "type": item.get("type", ""),
            }
            for item in error.errors
        ]
        return respond(request, ApiError(422, "validation_error", _("The request is not valid."), details))

    @api.exception_handler(HttpError)
    def http_error(request, error):
        # ninja raises these itself only for a body it cannot parse (400).
        return respond(request, ApiError(error.status_code, "bad_request", _("The request body is not valid JSON.")))

    @api.exception_handler(Http404)
    def missing(request, error):
        return respond(request, not_found())

    @api.exception_handler(RateLimited)
    def rate_limited(request, error):
        seconds = math.ceil(error.retry_after)
        message = ngettext(
            "Too many requests. Try again in %(seconds)d second.",
            "Too many requests. Try again in %(seconds)d seconds.",
            seconds,
        ) % {"seconds": seconds}
        response = respond(request, ApiError(429, "rate_limited", message))
        response["Retry-After"] = str(seconds)
        return response
