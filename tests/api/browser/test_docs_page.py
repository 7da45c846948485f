"""The API docs page (Swagger UI) renders from this site's own files, under the site's Content-Security-Policy."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_docs_page_works_offline_and_within_the_content_security_policy(page, csp_violations, live_server):
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    response = page.goto("/api/v1/docs")

    assert response.status == 200 and "script-src 'self'" in response.headers["content-security-policy"]
    page.get_by_text("AI Literacy API").first.wait_for()
    page.locator(".opblock-summary-path", has_text="/api/v1/groups/{group_id}/members").first.wait_for()
    assert page.locator(".opblock").count() >= 20  # every operation, read from /api/v1/openapi.json
    assert csp_violations == []
    assert requested and all(url.startswith(live_server.url) for url in requested), requested
    assert any(url.endswith("/api/v1/openapi.json") for url in requested)
