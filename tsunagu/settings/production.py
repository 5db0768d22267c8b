"""Production: everything from the environment, and loud failure when a secret is missing."""

from .base import *

if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in production.")
# Checked for form by tsunagu.encryption's system check (check, migrate, runserver).
if not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEYS must be set in production: comma-separated Fernet keys, newest "
        "first (README, “Encryption keys”)."
    )
if not FIELD_HASH_KEY:
    raise ImproperlyConfigured(
        "FIELD_HASH_KEY must be set in production: at least 32 characters of random text."
    )
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production (comma-separated).")
if not REDIS_URL:
    raise ImproperlyConfigured("REDIS_URL must be set in production: Celery needs a broker.")
if not DATABASE_URL:
    raise ImproperlyConfigured("DATABASE_URL must be set in production.")
# Every emailed link (reminders, invitations, verification, host forms) starts with it: the
# development default would send residents to 127.0.0.1.
if not env("WAGTAILADMIN_BASE_URL"):
    raise ImproperlyConfigured(
        "WAGTAILADMIN_BASE_URL must be set in production: the site's public address for links "
        "in emails, e.g. https://tsunagu.example.jp"
    )

CELERY_TASK_ALWAYS_EAGER = False

# TLS terminates at the load balancer, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# The health check is probed over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
