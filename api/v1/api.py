"""Version 1 of the REST API, mounted at /api/v1/: its routers, auth, errors, schema and docs.

The OpenAPI schema is at /api/v1/openapi.json and Swagger UI at /api/v1/docs. The docs page loads
Swagger UI from this site's static files (ninja is an installed app for that), so it works offline
and under the site's Content-Security-Policy: it runs no inline script.
"""

from ninja import NinjaAPI, Swagger

from api.v1 import catalogue, errors, records, roster

DESCRIPTION = """\
For school information and HR systems: sync classes and teams, their members and assignments, and read
progress, completions and the training record of your organisation.

**Authentication.** `Authorization: Bearer <token>`. A token belongs to one organisation and is *read* or
*write*; the site operator makes them (`manage.py api_token`), your organisation's admins revoke them on
the organisation page. The catalogue and certificate verification need no token.

**Lists** take `limit` (at most 200) and `offset` and answer `{"items": [...], "count": N}`. Lists you
sync take `updated_since` (RFC 3339 with an offset, e.g. `2025-09-01T08:00:00Z`) and are ordered
oldest change first. Deletions do not show up in
`updated_since`: compare ids with a full listing now and then, or use webhooks for completions.

**Errors** all have one body: `{"code": "...", "message": "...", "details": [...]}`; 401 no or bad token,
403 read token writing, 404 not found (or not your organisation's), 422 invalid request, 429 too many
requests (see `Retry-After`).
"""

api = NinjaAPI(
    title="AI Literacy API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api:v1",
    docs=Swagger(settings={"persistAuthorization": False, "validatorUrl": None}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)
api.add_router("", catalogue.router)
api.add_router("", roster.router)
api.add_router("", records.router)
