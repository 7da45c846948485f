"""The test settings with the tutor app switched off, pointed at the running test database."""

import os

from cms.settings.test import *  # noqa: F403

INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "tutor"]  # noqa: F405
DATABASES["default"]["NAME"] = os.environ["PLATFORM_TEST_DATABASE"]  # noqa: F405
