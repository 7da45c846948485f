"""Production: refuses to start without a real secret key, hosts and a cache shared by all processes."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CACHES, DATABASES, env, with_pool

DEBUG = False
SECRET_KEY = env("SECRET_KEY", default="")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith(("dev-", "test-", "django-insecure")):
    raise ImproperlyConfigured("Set SECRET_KEY to a random value of at least 50 characters.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS to the host names this site is served on.")

# A cache each process keeps for itself (or one without an atomic increment) would give every
# gunicorn/uvicorn worker its own rate limits: N workers, N times the allowance.
if CACHES["default"]["BACKEND"].rsplit(".", 1)[-1] in ("LocMemCache", "DummyCache", "FileBasedCache", "DatabaseCache"):
    raise ImproperlyConfigured(
        "Set CACHE_URL to a cache all processes share, e.g. rediscache://127.0.0.1:6379/1: rate limits (tutor "
        f"questions, join codes) are counted in it, and {CACHES['default']['BACKEND']} is per process or cannot "
        "count atomically."
    )

# Every request reads its session: from the shared cache, written through to the database so that a
# cache restart logs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Each process shares a few database connections among its requests (see base.with_pool).
DATABASES["default"] = with_pool(DATABASES["default"], env.int("DATABASE_POOL_MAX_SIZE", default=20))

# Web and Celery worker processes load the tutor's embedding model before they take work (cms.warm_up).
TUTOR_WARM_MODELS = env.bool("TUTOR_WARM_MODELS", default=True)

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Wagtail's live preview shows the page in a same-origin iframe, so DENY would break authoring.
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = ["security.W019"]
