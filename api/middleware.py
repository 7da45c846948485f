"""Keeps the API's 404s as they are: without this, LocaleMiddleware would redirect them to /<language>/api/….

/api/ lies outside the language prefix, and a 404 there is an answer (``{"code": "not_found", …}``),
not a missing prefix. LocaleMiddleware redirects a 404 when the same path with the prefix would
resolve, and under the prefix Wagtail's catch-all page route resolves nearly anything. It decides by
the request's URLconf, so once the view has answered, this points it at one without
language-prefixed routes (``api.root_urls``). It sits just inside LocaleMiddleware, and resolving
and reversing during the request are untouched.
"""


class KeepApiNotFound:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 404 and request.path_info.startswith("/api/"):
            request.urlconf = "api.root_urls"
        return response
