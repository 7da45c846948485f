"""Test runs: the real PostgreSQL engine, fast password hashing, no outbound e-mail."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
LANGUAGE_CODE = "en"  # assertions read the English interface; other languages are tested by name
SECRET_KEY = "test-only-secret-key"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests that need a broker start a real worker on Redis themselves (tests/conftest.py).
CELERY_BROKER_URL = ""
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = True
# Each test run may pick its own Redis-backed settings; defaults keep tests isolated.
CACHES = {"default": env.cache("TEST_CACHE_URL", default="locmemcache://")}
# django-axes stays on, as in production: tests sign in with force_login (no password check) or
# through the log-in forms. Client.login() would need request=HttpRequest(): axes refuses without one.
