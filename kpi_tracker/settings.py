"""Settings for KPI Tracker, read from the environment.

Local use needs nothing set: SQLite under var/, evidence files under var/,
console email. Production flips variables (see docs/deploy.md).
"""

import datetime as dt
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kpi_tracker.lib.env import env_bool, env_int, env_list, env_networks, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
# Local state (the SQLite file, evidence files) lives here; a fresh checkout has no var/ yet.
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "milestones",
    "evidence",
]

MIDDLEWARE = [
    "kpi_tracker.middleware.ForwardedForMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "kpi_tracker.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kpi_tracker.middleware.SessionRefreshMiddleware",
    "kpi_tracker.middleware.ThaiFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kpi_tracker.middleware.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kpi_tracker.urls"
WSGI_APPLICATION = "kpi_tracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "milestones.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kpi_tracker.sqlite3'}"),
        # Persistent connections (health-checked before reuse): a new PostgreSQL connection costs
        # a few milliseconds, more than most of our queries.
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a competing writer instead of failing at once with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "kpi_tracker.auth.LoginThrottleBackend",  # django-axes: refuses logins while locked out; first
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Thai first, English selectable through Django's set_language view.
LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("Thai")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Bangkok")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"

# Evidence is never served as media: files live under var/evidence (or in a
# private S3 bucket) and go out only through the permission-checking view.
EVIDENCE_STORAGE = env_str("EVIDENCE_STORAGE", "local")
if EVIDENCE_STORAGE not in {"local", "s3"}:
    raise ImproperlyConfigured("EVIDENCE_STORAGE must be 'local' or 's3'")
EVIDENCE_MAX_UPLOAD_MB = env_int("EVIDENCE_MAX_UPLOAD_MB", 20)
# Bounds on what uploads can take (docs/deploy.md): a whole request, a unit's storage (every stored
# object once, removed files' included), and the files one user may upload in an hour.
EVIDENCE_MAX_REQUEST_MB = env_int("EVIDENCE_MAX_REQUEST_MB", 200)
EVIDENCE_UNIT_QUOTA_MB = env_int("EVIDENCE_UNIT_QUOTA_MB", 2048)
EVIDENCE_UPLOADS_PER_HOUR = env_int("EVIDENCE_UPLOADS_PER_HOUR", 300)

STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "evidence"), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
if EVIDENCE_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID"),
            "secret_key": env_str("S3_SECRET_ACCESS_KEY"),
            "region_name": env_str("S3_REGION", "us-east-1"),
            "file_overwrite": False,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": env_int("S3_URL_EXPIRE_SECONDS", 300),
            "signature_version": "s3v4",  # presigned URLs carry X-Amz-Expires; SigV2 is retired on AWS
        },
    }

# Uploads larger than this go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_TEMP_DIR = env_str("FILE_UPLOAD_TEMP_DIR") or None
DATA_UPLOAD_MAX_NUMBER_FILES = 50

# Documents built off the request path (department summaries, the round's workbook, backups started
# from the admin): a queue in the database (django-tasks with its database backend) that
# `manage.py run_worker` works through. A job whose worker stops beating for
# DOCUMENT_JOB_STALE_SECONDS is queued again (a worker killed mid-job).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DOCUMENT_JOB_STALE_SECONDS = env_int("DOCUMENT_JOB_STALE_SECONDS", 60)
DOCUMENT_JOB_ATTEMPTS = env_int("DOCUMENT_JOB_ATTEMPTS", 3)

# A unit's deadline is "near" this many days ahead (or when past): the dashboard's at-risk list,
# the deadline reminders and the unit page's warning (milestones/rules/deadlines.py).
DEADLINE_NEAR_DAYS = env_int("DEADLINE_NEAR_DAYS", 14)

SESSION_ENGINE = "kpi_tracker.sessions"  # database sessions; an outage is a 503, not a 400

# The dashboard's rendered fragments (milestones/selectors/dashboard.py), in each process's own memory:
# every request reads the data version from the database, so processes and hosts need not share
# a cache. The lifetime only bounds how long a change made behind the audit log's back (a shell,
# raw SQL) can stay unseen; 0 turns the cache off.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "dashboard": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "dashboard",
        "TIMEOUT": env_int("DASHBOARD_CACHE_SECONDS", 3600),
        "OPTIONS": {"MAX_ENTRIES": 200},  # an entry is about 50 KB (500 units, a 50-row page)
    },
}

# --- Security -------------------------------------------------------------------------------
# Local use (DEBUG on, plain http://127.0.0.1) keeps cookies usable without TLS; with DEBUG off
# everything is HTTPS-only. docs/deploy.md lists every variable.
HTTPS = env_bool("HTTPS", not DEBUG)
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto and appends X-Forwarded-For.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
# The proxies whose forwarded headers count (IPs or CIDR networks); from any other peer they are
# dropped (kpi_tracker.middleware.ForwardedForMiddleware). Default: a proxy on the same host.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES", ["127.0.0.1", "::1"] if BEHIND_PROXY else [])
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]  # the load balancer probes over plain HTTP
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # the evidence preview opts in to SAMEORIGIN with @xframe_options_sameorigin

SESSION_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
# An idle timeout: SessionRefreshMiddleware restarts the session's age on activity, writing
# the session at most once every SESSION_REFRESH_SECONDS instead of on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = env_int("SESSION_REFRESH_SECONDS", 60)
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True  # scripts read the token from the page's form, never the cookie
CSRF_COOKIE_SAMESITE = "Lax"

# No inline script or style anywhere: JS lives in static/js, CSS in static/css.
_evidence_origins = []
if EVIDENCE_STORAGE == "s3":
    # The evidence preview may redirect to a short-lived presigned URL inside a frame or <img>.
    _endpoint = env_str("S3_ENDPOINT_URL")
    _evidence_origins = [
        f"{urlsplit(_endpoint).scheme}://{urlsplit(_endpoint).netloc}" if _endpoint else "https://*.amazonaws.com"
    ]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", *_evidence_origins],
        "frame-src": ["'self'", *_evidence_origins],
        "frame-ancestors": ["'self'"],
        "object-src": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    },
}

# Login throttling (django-axes): 5 failures for one username from one address lock that pair
# out for 15 minutes; a success resets the count.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_VERBOSE = False

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "kpi-tracker@fisheries.go.th")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")  # links in notification mails
# The key export_round signs its archives with and import_round checks them against (HMAC-SHA256).
BACKUP_SIGNING_KEY = env_str("BACKUP_SIGNING_KEY")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # django-axes logs every successful login at INFO; failures and lockouts are WARNING.
    # WeasyPrint logs each rendering step (and its own start-up) at INFO.
    # olevba (upload checks) logs each file it opens at INFO and its own limits at WARNING.
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "olevba": {"level": "ERROR"},
        "pikepdf": {"level": "WARNING"},
    },
}
