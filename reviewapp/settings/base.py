"""All settings, read from the environment. Production differs only in env values.

DATABASE_URL   default: a SQLite file under var/ (the one-machine mode of `make run`)
REDIS_URL      unset: a Celery worker beside the web process takes tasks from a folder under
               var/ (`make run` starts both); set: Redis is broker, result store and cache
SECRET_KEY     required when DEBUG is off (or SECRET_KEY_FILE)
DEBUG          default off
ALLOWED_HOSTS  comma-separated; default localhost names
EMAIL_URL      unset: e-mail is printed on the console; e.g. smtp+tls://user:pass@host:587 to send it
DEFAULT_FROM_EMAIL  the sender of invitations and password resets
INVITATION_DAYS     how long an invitation link stays valid; default 14
SITE_URL            the site's address in e-mailed links (notifications); default http://localhost:8000
NOTIFICATIONS_IMMEDIATE_MINUTES, NOTIFICATIONS_DIGEST_HOUR  when notification e-mail goes (5; 7)
"""
from __future__ import annotations

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from .env import email_settings_from_url, env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
_DEV_SECRET = "insecure-development-key-only-for-debug-mode"
SECRET_KEY = env_secret("SECRET_KEY") or (_DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "csp",
    "reviewapp",
    "screening",
    "extraction",
    "analysis",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "reviewapp.security_headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF: it reads the form, and so a whole upload, to find its token.
    "reviewapp.uploads.BodyLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "reviewapp.timezones.TimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "reviewapp.errors.ErrorPagesMiddleware",
]
CSRF_FAILURE_VIEW = "reviewapp.errors.csrf_failure"

# Content-Security-Policy (django-csp): everything from our own origin, no inline script and no
# inline style (scripts are static files, the templates carry no style="" attributes), nothing
# may frame a page (the full-text PDF view, framed by the screening page, is exempt and keeps
# X-Frame-Options SAMEORIGIN). Checked in Chromium by tests/e2e/test_content_security_policy.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

ROOT_URLCONF = "reviewapp.urls"
WSGI_APPLICATION = "reviewapp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "reviewapp.notifications.context.notifications",
            ],
            # {{ user|person }} names a person the one way (reviewapp.people.display_name).
            "builtins": ["reviewapp.templatetags.people"],
        },
    },
]

# Every form's fields name their errors to screen readers (aria-invalid, aria-describedby).
FORM_RENDERER = "reviewapp.widgets.FormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'reviewapp.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # In `make run` the web process and the worker write to one file. WAL lets pages read
    # while the worker writes; a writer waits up to 20 s for the other instead of failing
    # with "database is locked"; IMMEDIATE takes the write lock when a transaction starts,
    # because a deferred one that must upgrade its lock fails at once, whatever the timeout.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Django's ModelBackend, refusing every password check while an attempt is paused after too
# many failed sign-ins (reviewapp/throttle.py says which counts pause what).
AUTHENTICATION_BACKENDS = ["reviewapp.throttle.ThrottledModelBackend"]
# Failures at one account from one address before that pair is first paused.
SIGNIN_FAILURES_PER_ACCOUNT = env_int("SIGNIN_FAILURES_PER_ACCOUNT", 5)
# Higher: a team behind one office or university address shares it (and accounts that signed in
# from the address before are not paused by it at all).
SIGNIN_FAILURES_PER_ADDRESS = env_int("SIGNIN_FAILURES_PER_ADDRESS", 30)
# Guessing at one account spread over many addresses; pauses it only from addresses it never used.
SIGNIN_FAILURES_PER_ACCOUNT_ALL_ADDRESSES = env_int("SIGNIN_FAILURES_PER_ACCOUNT_ALL_ADDRESSES", 50)
# Pauses start here and double with each further failure, up to the longest.
SIGNIN_FIRST_PAUSE_SECONDS = env_int("SIGNIN_FIRST_PAUSE_SECONDS", 60)
SIGNIN_LOCKOUT_SECONDS = env_int("SIGNIN_LOCKOUT_SECONDS", 15 * 60)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# E-mail (invitations, password resets): printed on the console unless EMAIL_URL names a
# server. The URL may carry a secret, so EMAIL_URL_FILE is read too.
EMAIL_URL = env_secret("EMAIL_URL")
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
if EMAIL_URL:
    globals().update(email_settings_from_url("EMAIL_URL", EMAIL_URL))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Review manager <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where people reach this site: links in e-mails sent by background work (notifications), which
# has no request to take the address from.
SITE_URL = env_str("SITE_URL", "http://localhost:8000")
# Notification e-mail (reviewapp.notifications): the "at once" ones go out every few minutes, the
# daily digest at this hour (TIME_ZONE), both from Celery beat (`serve` starts it with the worker;
# compose runs a `beat` service).
NOTIFICATIONS_IMMEDIATE_MINUTES = env_int("NOTIFICATIONS_IMMEDIATE_MINUTES", 5)
NOTIFICATIONS_DIGEST_HOUR = env_int("NOTIFICATIONS_DIGEST_HOUR", 7)
# Days an e-mailed invitation to a review stays valid.
INVITATION_DAYS = env_int("INVITATION_DAYS", 14)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# The priority ranking's features, one file per review, so a restarted worker need not rebuild
# them (a cache: safe to delete; screening/services/ranking.py).
RANKING_FEATURES_DIR = Path(env_str("RANKING_FEATURES_DIR", str(VAR_DIR / "ranking-features")))
MEDIA_URL = "/media/"

# Search exports: the largest file a user may upload (the importer streams, so this
# bounds disk and upload time rather than memory).
MAX_UPLOAD_MB = env_int("MAX_UPLOAD_MB", 200)
# Full texts (PDF) for full-text screening.
MAX_FULLTEXT_MB = env_int("MAX_FULLTEXT_MB", 50)
# Many full texts at once (files or a ZIP): the whole request, and what a ZIP may unpack to; and
# how many files one upload may hold. Each file still has MAX_FULLTEXT_MB.
MAX_FULLTEXT_BULK_MB = env_int("MAX_FULLTEXT_BULK_MB", 500)
MAX_FULLTEXT_BULK_FILES = env_int("MAX_FULLTEXT_BULK_FILES", 500)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

REDIS_URL = env_str("REDIS_URL")

# The cache carries short-lived state shared by the web process and the worker, such as
# import progress: Redis in the team deployment, files under var/ otherwise (a per-process
# memory cache would hide the worker's progress from the page; the database cache would
# write it inside the import's own transaction, where no one sees it until the end).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(VAR_DIR / "cache")}
}

# Celery. Long work (imports, ranking, analyses) never runs inside a request: a worker
# process takes it from the broker. With REDIS_URL that is Redis; without it, kombu's
# filesystem transport: one file per message in a folder under var/, which any process on
# this machine can write and read, so `make run` needs no service of its own. Each task
# stores its outcome in the database, so that mode keeps no results unless asked to.
CELERY_TASK_ALWAYS_EAGER = False
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    # Redis hands a task taken but not acknowledged to another worker after this many seconds.
    # acks_late tasks are acknowledged at their end, so it must be above the longest job (an
    # import of the largest allowed file or a retraining of 100,000 records: minutes), or a slow
    # job would be started twice; a pool process killed mid-job is redelivered at once anyway
    # (reject_on_worker_lost), so only a whole lost worker waits this long.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 4 * 3600)}
else:
    TASK_QUEUE_DIR = VAR_DIR / "tasks"
    for _folder in ("queue", "control", "results"):
        (TASK_QUEUE_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # The producer writes where the worker reads: the same folder for both.
        "data_folder_in": str(TASK_QUEUE_DIR / "queue"),
        "data_folder_out": str(TASK_QUEUE_DIR / "queue"),
        "control_folder": str(TASK_QUEUE_DIR / "control"),
        # The worker looks for new messages this often (seconds).
        "polling_interval": 0.25,
    }
    CELERY_RESULT_BACKEND = f"file://{TASK_QUEUE_DIR / 'results'}"
    CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_EAGER_PROPAGATES = True
# A task whose worker dies mid-run is re-delivered, not lost (by Redis; the folder broker
# hands a message out once, so there a killed worker's task must be started again).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The longest a job may run, so that Redis's visibility timeout (4 h) is above every job: at the
# soft limit the job's body is interrupted and the job ends failed with a reason; the hard limit
# stops a body that ignores it. (The solo pool of `make run` has no time limits.)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 2 * 3600)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 300
CELERY_TASK_SERIALIZER = "json"
# Seconds an analysis run marked for it by a test waits before it computes, so that a test can
# stop the worker mid-run (.ci/run sets it for the live worker); 0 (the default) never waits.
ANALYSIS_TEST_DELAY_SECONDS = env_int("ANALYSIS_TEST_DELAY_SECONDS", 0)
# The same for imports, retrainings and archives, at a point mid-job, while a test has marked
# their kind in the cache (reviewapp.jobs.Attempt.test_pause); 0 (the default) never waits.
JOB_TEST_DELAY_SECONDS = env_int("JOB_TEST_DELAY_SECONDS", 0)
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Periodic work, sent by one beat process: notification e-mail at once and as a daily digest, and
# the living reviews' reminders that a search is due to be run again (before the digest goes out).
CELERY_BEAT_SCHEDULE = {
    "notifications-immediate": {"task": "reviewapp.notifications_email", "args": ["immediate"],
                                "schedule": NOTIFICATIONS_IMMEDIATE_MINUTES * 60.0},
    "notifications-daily-digest": {"task": "reviewapp.notifications_email", "args": ["daily"],
                                   "schedule": crontab(minute=0, hour=NOTIFICATIONS_DIGEST_HOUR)},
    # Living reviews: remind the leads when the protocol's interval says a search is due again.
    "search-rerun-reminders": {"task": "screening.search_rerun_reminders",
                               "schedule": crontab(minute=30, hour=max(NOTIFICATIONS_DIGEST_HOUR - 1, 0))},
}

REST_FRAMEWORK = {
    # Personal API tokens (hashed, named, scoped; reviewapp.api_auth) and the browser's session.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "reviewapp.api_auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "reviewapp.api_auth.TokenScopePermission",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["reviewapp.api_auth.PerTokenThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "reviewapp.api_base.Pagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "EXCEPTION_HANDLER": "reviewapp.api_base.api_exception_handler",
    "PAGE_SIZE": 100,
}
# Requests per token (or per signed-in person without one), e.g. "1200/min".
API_THROTTLE_RATE = env_str("API_THROTTLE_RATE", "1200/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "Review manager API",
    "DESCRIPTION": "Every capability of a systematic review, under /api/v1/. Authenticate with a "
                   "personal API token (header `Authorization: Token <key>`) or a signed-in session.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Operations grouped by what follows the review in the path: searches, records, screening, ...
    "SCHEMA_PATH_PREFIX": r"/api/v1(/reviews/\{review_id\}(?=/[a-z]))?",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "docExpansion": "none"},
    # Several models have a `status`: each its own enum in the schema (dotted strings, not imports).
    "ENUM_NAME_OVERRIDES": {
        "ReviewStatusEnum": "reviewapp.models.Review.Status",
        "WebhookDeliveryStatusEnum": "reviewapp.models.WebhookDelivery.Status",
        "JobStatusEnum": "reviewapp.models.Job.Status",  # every kind of background work
        "DuplicatePairStatusEnum": "screening.models.DuplicatePair.Status",
        "ScreeningItemStatusEnum": "screening.models.ScreeningItem.Status",
        "ExtractionStatusEnum": "extraction.models.Extraction.Status",
        "MemberRoleEnum": "reviewapp.models.Membership.Role",
        "FormKindEnum": "extraction.models.FormTemplate.Kind",
        "FieldTypeEnum": "extraction.api_types.FIELD_TYPE_VALUES",
        "SectionKindEnum": "extraction.api_types.SECTION_KINDS",
        "SummaryKindEnum": "extraction.api_types.SUMMARY_KINDS",
        "NotificationKindEnum": "reviewapp.notifications.models.Kind",
        "NotificationEmailEnum": "reviewapp.notifications.models.EmailMode",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "reviewapp.api_base.schema_error_responses",
    ],
}
# Webhooks are never sent to loopback addresses (SSRF) except by tests, which receive them on
# 127.0.0.1; private network addresses only where a team's receivers live on its own network.
WEBHOOK_ALLOW_LOOPBACK = False
WEBHOOK_ALLOW_PRIVATE_NETWORKS = env_bool("WEBHOOK_ALLOW_PRIVATE_NETWORKS", False)

# Behind a TLS-terminating proxy in the team deployment.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
