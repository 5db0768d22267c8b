"""Test settings: fast hashing, locmem email; the database and Redis still come from the env."""

from .base import *

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
