"""Django settings for Samverkan.

Everything that differs between a laptop demo, the test suite and production comes from the
environment (see ``config/env.py``). Production hardening lives in ``settings_production``.
"""

import os
import tempfile
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.env import SettingError, env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
# Demo mode: fake data, two-factor not enforced, and a banner on every page says so.
DEMO_MODE = env_bool("DEMO_MODE", False)
# The benchmark (bench/README.md): reference pages under /bench/ and headers with each
# request's SQL queries and time. Off in every real installation.
BENCH_REFERENCES = env_bool("BENCH_REFERENCES", False)
# Both keys are required (ImproperlyConfigured at start without them), except in development
# and the demo, where a well-known key protects nothing of value. CHILD_REF_KEY is separate
# from SECRET_KEY and never falls back to it: SECRET_KEY may be rotated, the child reference
# must stay stable (an installation that ran without CHILD_REF_KEY used SECRET_KEY: set
# CHILD_REF_KEY to that value to keep its references).
_DEVELOPMENT = DEBUG or DEMO_MODE
SECRET_KEY = env_secret(
    "SECRET_KEY",
    development_value=(
        "insecure-development-key-change-me-0123456789abcdef" if _DEVELOPMENT else None
    ),
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# A refused form gets a page in our layout that says what happened and what to do.
CSRF_FAILURE_VIEW = "core.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "simple_history",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.usersessions",
    "core",
    "organisations",
    "access",
    "reports",
    "governance",
    "wheel",
    "audits",
    "followup",
    "sip",
    "surveys",
    "training",
    "operations",
    "retention",
    "datagen",
    # The benchmark's references and SQL headers: inert unless BENCH_REFERENCES is on.
    "bench",
]

MIDDLEWARE = [
    # First, so that it counts every query of the request (the session's and the login's too);
    # it removes itself unless BENCH_REFERENCES is on (bench/middleware.py).
    "bench.middleware.SqlFiguresMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "access.middleware.RequestIdMiddleware",
    # Early, so that every answer is logged and counted, the 503 page included.
    "operations.middleware.RequestLogMiddleware",
    # Before everything that queries the database (access log, sessions, login).
    "operations.middleware.DatabaseUnavailableMiddleware",
    "access.middleware.ChildDataNoStoreMiddleware",
    "access.middleware.AccessLogBatchMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "core.middleware.IdleSessionMiddleware",
    "core.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

# Forms render through Django's own Jinja2 copies of its form templates where they exist: the
# same markup at about half the cost (core/renderers.py). The pages stay Django templates.
FORM_RENDERER = "core.renderers.FormRenderer"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.shell",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
SILENCED_SYSTEM_CHECKS: list[str] = []
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite, the embedded default, must take concurrent writes (two submits of one draft,
    # autosave while another tab saves). WAL lets readers go on while one connection writes;
    # the busy timeout makes a writer wait for the lock instead of failing at once with
    # "database is locked"; and IMMEDIATE takes the write lock when a transaction begins: a
    # transaction that starts as a reader and then writes can not wait for the lock (SQLite
    # fails it at once, to avoid a deadlock), so select_for_update(), a no-op on SQLite,
    # would not serialise anything. synchronous=NORMAL is safe with WAL (a power cut loses at
    # most the last commits, never the database) and spares a disk sync per commit.
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT_SECONDS", 20),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }
    # Tests use a file (one per test process) rather than Django's in-memory database: threads
    # share an in-memory database only in shared-cache mode, whose table locks ignore the busy
    # timeout, so the tests of concurrent writes could not run on it.
    DATABASES["default"]["TEST"] = {
        "NAME": env_str(
            "SQLITE_TEST_NAME",
            str(Path(tempfile.gettempdir()) / f"samverkan-test-{os.getpid()}.sqlite3"),
        )
    }
    # The inbox index carries the workload counts' columns (INCLUDE) for PostgreSQL; SQLite
    # builds the same index without them, which is all the demo needs.
    SILENCED_SYSTEM_CHECKS.append("models.W040")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_redis_url = env_str("REDIS_URL", "")
# With Redis the database stands in while Redis is unreachable (core/cache.py); the short
# timeouts keep a vanished Redis host from holding up every request for long.
CACHES = {
    "default": (
        {
            "BACKEND": "core.cache.FallbackRedisCache",
            "LOCATION": _redis_url,
            "OPTIONS": {
                "socket_connect_timeout": env_int("REDIS_CONNECT_TIMEOUT_MS", 500) / 1000,
                "socket_timeout": env_int("REDIS_TIMEOUT_MS", 1000) / 1000,
            },
        }
        if _redis_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Uploads are written to a temporary file and linked under their name when whole: a full disk
# never leaves half a file (core/storage.py, docs/backup.md).
STORAGES = {
    "default": {"BACKEND": "core.storage.AtomicFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

AUTH_USER_MODEL = "organisations.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:start"

# Sessions are kept in the database (nobody is logged out whatever happens to Redis) and read
# through the shared cache for at most a minute (core/sessions.py). Ending a session ("log out
# everywhere", logout) goes through the session store, which forgets the cached copy too.
SESSION_ENGINE = "core.sessions"
# Sessions end after inactivity. Activity pushes the expiry forward, at most once a minute
# (core.middleware.IdleSessionMiddleware) so that requests do not all write the session.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_TOUCH_INTERVAL = env_int("SESSION_TOUCH_INTERVAL", 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# django-allauth: accounts are created by the municipal admin, never by self sign-up.
ACCOUNT_ADAPTER = "core.auth.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "core.auth.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
# Rates are "<count>/<period>/<per>", several separated by commas. Failed logins count per
# account ("key": the username or e-mail typed) and, more generously, per address, since a
# whole school may share one address behind NAT. TOTP codes share the failed-login budget.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env_str("LOGIN_RATE_LIMIT", "20/5m/ip,5/5m/key"),
    "login": "30/m/ip",
    "reset_password": "5/m/ip,3/m/key",
}
# E-mail addresses are registered by the municipal admin; users can not add more.
ACCOUNT_MAX_EMAIL_ADDRESSES = 1
# A password reset for an address we do not know sends nothing (and shows the same page).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# The number of reverse proxies of ours in front of the app (0: clients connect directly).
# With 0 every header a proxy would set is the client's own word: an incoming X-Request-ID is
# ignored and a fresh id made (access.middleware.RequestIdMiddleware), and rate limits use the
# connection's address. With 1 or more the proxy's X-Request-ID is kept (if it is a short, safe
# token) and allauth takes the client address from X-Forwarded-For; then the proxy must set or
# replace both headers, never pass on the client's.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Samverkan"
# One 30-second step either side, for phones whose clock is a little off.
MFA_TOTP_TOLERANCE = 1
# allauth refuses two-factor set-up while an unverified address exists, a guard against
# self sign-up with someone else's address. Here addresses are set by the municipal admin
# and sign-up is closed, so the guard would only lock out users the app forces to set it up.
MFA_ALLOW_UNVERIFIED_EMAIL = True
# Sessions are recorded at login (for "log out everywhere"); tracking every request's activity
# would cost a database write per request.
USERSESSIONS_TRACK_ACTIVITY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_ONLY = False

# OpenID Connect against the municipality's identity provider (SITHS/Freja/BankID behind it).
# Off unless OIDC_PROVIDER_ID is set; then the client id, secret and server URL are required.
# Register the callback URL /accounts/oidc/<OIDC_PROVIDER_ID>/login/callback/ at the provider.
OIDC_PROVIDER_ID = env_str("OIDC_PROVIDER_ID", "")
SOCIALACCOUNT_PROVIDERS: dict = {}
if OIDC_PROVIDER_ID:
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": OIDC_PROVIDER_ID,
                "name": env_str("OIDC_NAME", "E-legitimation"),
                "client_id": env_str("OIDC_CLIENT_ID"),
                "secret": env_str("OIDC_CLIENT_SECRET"),
                "settings": {
                    # Issuer URL; /.well-known/openid-configuration is appended.
                    "server_url": env_str("OIDC_SERVER_URL"),
                    # client_secret_post or client_secret_basic.
                    "token_auth_method": env_str("OIDC_TOKEN_AUTH_METHOD", "client_secret_post"),
                    # Trust the provider's e-mail addresses even without email_verified=true.
                    "verified_email": env_bool("OIDC_EMAIL_VERIFIED", False),
                },
            }
        ],
    }

# Reports of concern: installation defaults of the deadline rules (reports/deadlines.py has the
# law's values; a municipality may override them). Keys: protection_late_hour, decision_days,
# feedback_days, move_off_non_working_days.
REPORT_DEADLINES: dict[str, int | bool] = {}
# The largest file of each kind of upload (the kinds accepted are in core/uploads.py): an
# attachment to a report, a governance document's file, a meeting's minutes.
REPORT_ATTACHMENT_MAX_BYTES = env_int("REPORT_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
GOVERNANCE_FILE_MAX_BYTES = env_int("GOVERNANCE_FILE_MAX_BYTES", 20 * 1024 * 1024)
WHEEL_MINUTES_FILE_MAX_BYTES = env_int("WHEEL_MINUTES_FILE_MAX_BYTES", 10 * 1024 * 1024)
# Key for the pseudonymous child reference in the access log (required, see SECRET_KEY above;
# keep it stable).
CHILD_REF_KEY = env_secret(
    "CHILD_REF_KEY",
    development_value="insecure-development-child-ref-key-0123456789" if _DEVELOPMENT else None,
)
# The report watchdog (manage.py report_watchdog): alert the intake when a submitted report has
# waited this many hours without being received, and alert the intake and the municipality when
# its intake has received nothing for this many days while at least this many reports wait.
REPORT_UNRECEIVED_ALERT_HOURS = env_int("REPORT_UNRECEIVED_ALERT_HOURS", 4)
REPORT_SILENT_INTAKE_DAYS = env_int("REPORT_SILENT_INTAKE_DAYS", 7)
REPORT_SILENT_INTAKE_MIN_WAITING = env_int("REPORT_SILENT_INTAKE_MIN_WAITING", 3)
# Coordinated plans (sip.reminders): the first reminder goes out this many days before the
# follow-up date.
SIP_FOLLOW_UP_REMINDER_DAYS = env_int("SIP_FOLLOW_UP_REMINDER_DAYS", 7)

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]  # Swedish dates as staff write them
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Only production collects static files (settings_production); elsewhere they come from the
# app folders through WhiteNoise's finders.
STATIC_ROOT: Path | None = None
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve static files from the app folders in development, demo and tests (no collectstatic).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Where deletion decisions write their e-archive packages (docs/retention.md). Empty: the
# folder "e-archive" in MEDIA_ROOT, found when a package is written, so it follows MEDIA_ROOT.
RETENTION_ARCHIVE_DIR = env_str("RETENTION_ARCHIVE_DIR", "")

MAILERS: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"),
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "samverkan@localhost")
# The address people reach the app on; links in e-mails start with it.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# Who runs this installation (e.g. "Leksands kommun"), shown on the login page and named as
# responsible in the accessibility statement, with how to reach them (e-mail or phone).
INSTALLATION_NAME = env_str(
    "INSTALLATION_NAME", "Leksands kommun och Eksjö kommun (demo)" if DEMO_MODE else ""
)
INSTALLATION_CONTACT = env_str(
    "INSTALLATION_CONTACT", "samverkan@example.se, 0247-800 00 (demo)" if DEMO_MODE else ""
)

# Content Security Policy: only our own scripts, each with the per-request nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"


def log_format(default: str) -> str:
    """``LOG_FORMAT``: "json" (one object per line, for a log shipper) or "plain" (to read)."""
    value = env_str("LOG_FORMAT", default)
    if value not in {"json", "plain"}:
        raise SettingError(f"LOG_FORMAT must be json or plain, got {value!r}.")
    return value


# Both formats scrub identity numbers and e-mail addresses from every message and traceback,
# and never write a query string, a body or a header (operations.logging; docs/observability.md).
LOG_FORMAT = log_format("plain")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"()": "operations.logging.PlainFormatter"},
        "json": {"()": "operations.logging.JsonFormatter"},
    },
    "filters": {
        # Survey links carry their token in the path: never written to a log (surveys.logging).
        "survey_links": {"()": "surveys.logging.RedactAnswerLinks"},
        # A database outage is logged in one line, not a traceback per request.
        "database_unavailable": {"()": "operations.logging.DropDatabaseUnavailableTracebacks"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["survey_links"],
        }
    },
    "loggers": {
        "django.server": {"filters": ["survey_links"]},
        "django.request": {"filters": ["survey_links", "database_unavailable"]},
        "django.security.csrf": {"filters": ["survey_links"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# The bearer token Prometheus sends to /metrics (docs/observability.md). Empty: the endpoint
# answers 404 to everybody.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
