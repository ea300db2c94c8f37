"""Production settings: the base settings with every transport and cookie hardened."""

from pathlib import Path

from config.env import env_bool, env_int, env_secret, env_str
from config.settings import *  # noqa: F403
from config.settings import log_format

DEBUG = False
DEMO_MODE = False
# Required here even when DEBUG or DEMO_MODE is set by mistake in the environment, which would
# have let the base settings use their development keys.
SECRET_KEY = env_secret("SECRET_KEY")
CHILD_REF_KEY = env_secret("CHILD_REF_KEY")

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "core.storage.AtomicFileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Outgoing e-mail through the municipality's SMTP relay. E-mails carry links only, never data
# about children.
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": env_str("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 587),
            "username": env_str("EMAIL_HOST_USER", ""),
            "password": env_str("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", True),
        },
    }
}

# One JSON object per line for the log shipper (docs/observability.md); LOG_FORMAT=plain to
# read them by eye.
LOG_FORMAT = log_format("json")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # noqa: F405

# HSTS preloading commits every subdomain of the municipality's domain to HTTPS for good; that
# is the municipality's decision (SECURE_HSTS_PRELOAD=1), so the reminder is silenced here.
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]  # noqa: F405
