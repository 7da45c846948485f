"""The browser journeys' fixtures (Debian's Chromium through Playwright), for the API docs page."""

from tests.browser.conftest import browser, csp_violations, page  # noqa: F401
