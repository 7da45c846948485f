"""The one plain Django view of v1: a path the API does not have gets the API's 404 body, not the site's page."""

from api.v1.api import api
from api.v1.errors import error_response, not_found


def unknown_path(request):
    return error_response(api, request, not_found())
