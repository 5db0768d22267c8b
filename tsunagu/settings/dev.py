"""The embedded default for a laptop and the demo: SQLite, eager Celery, console email."""

from tsunagu.local_secrets import local_secrets

from .base import *

DEBUG = True
# No secret in the code: what the environment does not set is generated once per checkout and
# kept in var/secrets.json (git-ignored, mode 0600).
if not (SECRET_KEY and FIELD_ENCRYPTION_KEYS and FIELD_HASH_KEY):
    _local = local_secrets(VAR_DIR / "secrets.json")
    SECRET_KEY = SECRET_KEY or _local["SECRET_KEY"]
    FIELD_ENCRYPTION_KEYS = FIELD_ENCRYPTION_KEYS or [_local["FIELD_ENCRYPTION_KEY"]]
    FIELD_HASH_KEY = FIELD_HASH_KEY or _local["FIELD_HASH_KEY"]
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
OUTBOX_EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
# runserver (and the test client) serve static files themselves; WhiteNoise is for production.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]
