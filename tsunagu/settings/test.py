"""Test settings: fast hashing, locmem email; the database and Redis still come from the env."""

import os
import sys
from urllib.parse import urlsplit


def _redis_db_per_xdist_worker() -> None:
    """Give each pytest-xdist worker its own Redis database (REDIS_URL's number minus the worker's
    index): with Redis as the cache and the broker, one worker's cache.clear() or queued task
    would otherwise land in another's test. Only in the worker itself: the celery processes its
    tests start inherit PYTEST_XDIST_WORKER but are handed the URL already chosen."""
    url, worker = os.environ.get("REDIS_URL", ""), os.environ.get("PYTEST_XDIST_WORKER", "")
    if not url or not worker.startswith("gw") or "xdist" not in sys.modules:
        return
    parts = urlsplit(url)
    database = (int(parts.path.strip("/") or 0) - int(worker[2:])) % 16
    os.environ["REDIS_URL"] = parts._replace(path=f"/{database}").geturl()


_redis_db_per_xdist_worker()

from .base import *  # noqa: E402

DEBUG = False
SECRET_KEY = "test-only-not-secret"
# Fixed test-only keys, so a test database and its fixtures read the same in every process.
FIELD_ENCRYPTION_KEYS = ["dGVzdC1vbmx5LWZpZWxkLWVuY3J5cHRpb24ta2V5LTE="]
FIELD_HASH_KEY = "test-only-field-hash-key-not-secret-0123456789"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
OUTBOX_EMAIL_BACKEND = env("OUTBOX_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
WAGTAILADMIN_BASE_URL = "http://testserver"
# runserver (and the test client) serve static files themselves; WhiteNoise is for production.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]
# Tests run tasks in-process even on the full stack, so each test sees its task's effect; tests that
# prove cross-process behaviour start a real worker with CELERY_TASK_ALWAYS_EAGER=false
# (tests/support/worker.py) or publish to the broker explicitly.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)
