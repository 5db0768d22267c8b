"""The embedded default for a laptop and the demo: SQLite, eager Celery, console email."""

from .base import *

DEBUG = True
SECRET_KEY = env("SECRET_KEY", "dev-only-not-secret-tsunagu")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
OUTBOX_EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
# runserver (and the test client) serve static files themselves; WhiteNoise is for production.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]
