"""Settings shared by every environment; everything that differs comes from the environment.

Base is safe for production on its own: DEBUG off, no secret invented here. ``dev`` and ``test``
loosen it for a laptop; ``production`` insists on what a real deployment must provide.
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.conf import global_settings
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str | None = None) -> str | None:
    """An environment variable, with empty strings treated as unset."""
    value = os.environ.get(name, "")
    return value if value != "" else default


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = env(name)
    try:
        return int(value) if value is not None else default
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "tsunagu.apps.TsunaguConfig",
    "outbox",
    "community",
    "verification",
    "followups",
    "matching",
    "volunteers",
    "events",
    "resources",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
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
    "leaflet",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "tsunagu.urls"
WSGI_APPLICATION = "tsunagu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "site" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "tsunagu.context_processors.site_sections",
            ],
        },
    },
]

# --- Database: SQLite embedded default, PostgreSQL (or anything dj-database-url reads) by URL.
DATABASE_URL = env("DATABASE_URL")
VAR_DIR = BASE_DIR / "var"
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL or f"sqlite:///{VAR_DIR / 'tsunagu.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a command writes; the busy timeout waits, not fails.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    VAR_DIR.mkdir(exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker, result backend and cache when REDIS_URL is set.
REDIS_URL = env("REDIS_URL")
REDIS_TIMEOUT_SECONDS = 2.0
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "tsunagu",
            # A dead Redis must slow a request by at most this much, never hang it.
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
                "socket_timeout": REDIS_TIMEOUT_SECONDS,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery (read by tsunagu/celery.py through the CELERY_ namespace).
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
# Explicit embedded default: tasks run in-process when no broker is configured (logged at start).
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TIMEZONE = "Asia/Tokyo"
CELERY_ENABLE_UTC = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT_SECONDS
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Longer than any task may run, so acks_late never re-delivers work still in progress.
    "visibility_timeout": 3600,
    "socket_timeout": REDIS_TIMEOUT_SECONDS,
    "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
}
CELERY_REDIS_BACKEND_HEALTH_CHECK_INTERVAL = 30
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
# Periodic work; apps add their sweeps here as they gain them. The database is the schedule.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "healthz-heartbeat": {
        "task": "tsunagu.tasks.heartbeat",
        "schedule": crontab(minute="*/5"),
    },
    # Hourly: log hours for shifts that ended and queue the thank-yous (shift reminders are
    # queued with the sign-up; the outbox is their schedule).
    "volunteers-shift-thanks": {
        "task": "volunteers.tasks.send_shift_thanks",
        "schedule": crontab(minute=40),
    },
    "events-erase-expired-signups": {
        "task": "events.tasks.erase_expired_signups",
        "schedule": crontab(hour=3, minute=30),
    },
    "events-extend-occurrences": {
        "task": "events.tasks.extend_occurrences",
        "schedule": crontab(hour=3, minute=40),
    },
    # Daily and idempotent: one row per listing and cycle means a re-run sends nothing twice.
    "verification-reminders": {
        "task": "verification.tasks.send_verification_reminders",
        "schedule": crontab(hour=9, minute=15),
    },
    # Expires proposals past their deadline (their emails are outbox rows).
    "matching-proposal-sweep": {
        "task": "matching.tasks.proposal_sweep",
        "schedule": crontab(minute="*/15"),
    },
}

# --- Outbox: every message the product sends is a row first (outbox/). Redis only rings the
# bell; the sweep finds what the bell missed, so mail waits at most one interval plus the lease.
OUTBOX_SWEEP_SECONDS = env_int("OUTBOX_SWEEP_SECONDS", 60)
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 300)  # > EMAIL_TIMEOUT, with room
OUTBOX_BATCH = env_int("OUTBOX_BATCH", 1000)  # rows one claim takes
OUTBOX_PUBLISH_CHUNK = env_int("OUTBOX_PUBLISH_CHUNK", 50)  # ids per "send these" message
OUTBOX_RETRY_BASE_SECONDS = env_int("OUTBOX_RETRY_BASE_SECONDS", 60)  # doubles per attempt
OUTBOX_RETRY_MAX_SECONDS = env_int("OUTBOX_RETRY_MAX_SECONDS", 3600)
OUTBOX_DEFAULT_TTL_HOURS = env_int("OUTBOX_DEFAULT_TTL_HOURS", 72)  # unless the kind says
OUTBOX_COMMIT_RETRY_SECONDS = env_int("OUTBOX_COMMIT_RETRY_SECONDS", 30)
OUTBOX_SWEEP_QUEUE = env("OUTBOX_SWEEP_QUEUE", "outbox-sweep")
CELERY_TASK_DEFAULT_QUEUE = "celery"
# A worker started without -Q consumes both; a deployment may give sweeps a worker of their own.
CELERY_TASK_QUEUES = {"celery": {}, OUTBOX_SWEEP_QUEUE: {}}
CELERY_TASK_ROUTES = {"outbox.tasks.sweep": {"queue": OUTBOX_SWEEP_QUEUE}}
CELERY_BEAT_SCHEDULE["outbox-sweep"] = {
    "task": "outbox.tasks.sweep",
    "schedule": dt.timedelta(seconds=OUTBOX_SWEEP_SECONDS),
    # A sweep queued behind an outage is worthless once the next one is due.
    "options": {"expires": OUTBOX_SWEEP_SECONDS},
}

# --- Email
# Django's mail API writes to the outbox; the outbox sends through OUTBOX_EMAIL_BACKEND.
EMAIL_BACKEND = "outbox.stored.OutboxBackend"
OUTBOX_EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)  # seconds; keep well under OUTBOX_LEASE_SECONDS
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "tsunagu@localhost")
OUTBOX_MESSAGE_ID_DOMAIN = env(
    "OUTBOX_MESSAGE_ID_DOMAIN", DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(">") or "localhost"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Passwords and sessions
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"  # Wagtail's preview opts itself back in to SAMEORIGIN
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Japanese first
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語")]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "tsunagu" / "locale"]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_I18N_ENABLED = False

# --- Static and media
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "site" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Wagtail
WAGTAIL_SITE_NAME = "つなぐ"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
# Indexed text is already Sudachi terms (tsunagu.text): PostgreSQL's "simple" configuration keeps
# them as they are (no English stemming or stop words), so it matches exactly what SQLite matches.
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database", "SEARCH_CONFIG": "simple"}
}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_DATE_FORMAT = "%Y年%m月%d日"
WAGTAIL_DATETIME_FORMAT = "%Y年%m月%d日 %H:%M"
# The admin's pickers write dates the Japanese way; forms must read them back (ja has no input
# formats of its own, so these apply), or saving an unchanged page fails on every date field.
DATE_INPUT_FORMATS = [WAGTAIL_DATE_FORMAT, *global_settings.DATE_INPUT_FORMATS]
DATETIME_INPUT_FORMATS = [WAGTAIL_DATETIME_FORMAT, *global_settings.DATETIME_INPUT_FORMATS]

# --- Maps: packaged Leaflet (django-leaflet); tiles configurable, never required to use a page.
LEAFLET_CONFIG = {
    "TILES": env("MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
    "ATTRIBUTION_PREFIX": env("MAP_ATTRIBUTION", "© OpenStreetMap contributors"),
    "DEFAULT_CENTER": (
        float(env("MAP_CENTER_LAT", "27.39228") or 0),
        float(env("MAP_CENTER_LNG", "128.65547") or 0),
    ),
    "DEFAULT_ZOOM": env_int("MAP_DEFAULT_ZOOM", 13),
    "RESET_VIEW": False,
    "NO_GLOBALS": False,
}

# --- Events: sign-ups' names and contacts are anonymised this many days after the event ends.
EVENTS_SIGNUP_RETENTION_DAYS = env_int("EVENTS_SIGNUP_RETENTION_DAYS", 30)

# --- Verification (issue 4): operators are asked to re-confirm listings not verified for this
# many months; a further grace period later the listing says it may be out of date.
VERIFICATION_REMIND_AFTER_MONTHS = env_int("VERIFICATION_REMIND_AFTER_MONTHS", 6)
VERIFICATION_STALE_AFTER_MONTHS = env_int("VERIFICATION_STALE_AFTER_MONTHS", 1)
# How long the "still correct" link in a reminder works.
VERIFICATION_LINK_MAX_AGE_DAYS = env_int("VERIFICATION_LINK_MAX_AGE_DAYS", 60)

# --- Follow-ups (issue 7): check-ins this many days after a placement starts (2 weeks, 6 weeks,
# 3 months, 6 months by default); a town sets its own. Each can be moved per placement.
FOLLOWUP_INTERVALS_DAYS = [
    int(days) for days in env_list("FOLLOWUP_INTERVALS_DAYS", "14,42,91,182")
]
FOLLOWUP_ASK_HOST = env_bool("FOLLOWUP_ASK_HOST", True)  # a short question to the host place too
FOLLOWUP_REMIND_HOUR = env_int("FOLLOWUP_REMIND_HOUR", 9)  # local time on the due date
FOLLOWUP_ESCALATE_AFTER_DAYS = env_int("FOLLOWUP_ESCALATE_AFTER_DAYS", 7)
FOLLOWUP_HOST_LINK_MAX_AGE_DAYS = env_int("FOLLOWUP_HOST_LINK_MAX_AGE_DAYS", 30)

# --- The town this installation serves; another municipality changes these and loads its own data.
TSUNAGU_TOWN_NAME = env("TSUNAGU_TOWN_NAME", "和泊町")
TSUNAGU_PREFECTURE = env("TSUNAGU_PREFECTURE", "鹿児島県")  # addresses in the HSDS open data

# Error reports (admin emails) without posted values or local variables: any may be personal data.
DEFAULT_EXCEPTION_REPORTER_FILTER = "matching.reporting.PersonalDataReporterFilter"

# --- Logging: structured enough for operators, and never a request body (client data lives there).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's request logger would print the request (and so form data) on errors.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
