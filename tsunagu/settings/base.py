"""Settings shared by every environment; everything that differs comes from the environment.

Base is safe for production on its own: DEBUG off, no secret invented here. ``dev`` and ``test``
loosen it for a laptop; ``production`` insists on what a real deployment must provide.
"""

import datetime as dt
import os
from ipaddress import ip_network
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
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
# Encryption at rest of client data (tsunagu/encryption.py): Fernet keys, newest first (the first
# encrypts, all decrypt), and the HMAC key of the lookup hashes. Only from the environment.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
FIELD_HASH_KEY = env("FIELD_HASH_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "tsunagu.apps.TsunaguConfig",
    "accounts",
    "outbox",
    "community",
    "verification",
    "reports",
    "followups",
    "matching",
    "volunteers",
    "events",
    "resources",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
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
    "django.contrib.sitemaps",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tsunagu.security_headers.ContentSecurityPolicyMiddleware",
    "tsunagu.security_headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The content generation every cache key holds, read once per request.
    "resources.caching.PinnedGenerationMiddleware",
    # Anonymous public pages from the cache before sessions, auth and routing
    # (tsunagu/page_cache.py); after the security headers, which every answer gets afresh.
    "tsunagu.page_cache.PageCacheMiddleware",
    # Which site and page a URL means, kept until the next publish (tsunagu/routing.py).
    "tsunagu.routing.RememberedSiteMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Staff sessions: lifetime first (an expired session needs no 2FA), then two-factor.
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.StaffSessionMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as axes asks
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
    # WAL lets readers go on while one request writes; the busy timeout waits, not fails; and
    # IMMEDIATE takes the write lock when a transaction begins, so two writers queue instead of
    # one failing with 「database is locked」 when both read first (an autosave racing a submit).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
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

# --- Page cache (tsunagu/page_cache.py) and an HTTP cache in front (deploy/varnish.vcl).
# Anonymous public answers say ``Cache-Control: public, max-age=BROWSER, s-maxage=SHARED``.
# Browsers cannot be told to forget a page, so they keep it briefly; the app's cache and a proxy
# or CDN in front keep it longer, as every publish empties both (resources/caching.invalidate).
PAGE_CACHE_BROWSER_SECONDS = env_int("PAGE_CACHE_BROWSER_SECONDS", 60)
PAGE_CACHE_SHARED_SECONDS = env_int("PAGE_CACHE_SHARED_SECONDS", 600)
# Wagtail's frontend cache (wagtail.contrib.frontend_cache): purged on every publish. Off unless
# FRONTEND_CACHE_URL names the proxy (compose: http://varnish); a town with a CDN configures
# WAGTAILFRONTENDCACHE for Cloudflare or CloudFront instead (README).
FRONTEND_CACHE_URL = env("FRONTEND_CACHE_URL")
WAGTAILFRONTENDCACHE = (
    {
        "proxy": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": FRONTEND_CACHE_URL,
        }
    }
    if FRONTEND_CACHE_URL
    else {}
)

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
    # Daily: erase clients whose case closed more than CLIENT_RETENTION_YEARS ago.
    "matching-erase-expired-clients": {
        "task": "matching.tasks.erase_expired_clients",
        "schedule": crontab(hour=3, minute=50),
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

# --- Staff authentication (accounts/): axes counts failed logins, django-otp adds TOTP.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out login before any check
    "django.contrib.auth.backends.ModelBackend",
]
# Locked per account and, separately, per address: guessing one password from many addresses and
# many passwords from one address are both stopped.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.throttling.lockout_response"
AXES_CLIENT_IP_CALLABLE = "tsunagu.net.client_ip"
# Proxies in front of the app that append to X-Forwarded-For (0: use the connection's address).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
WAGTAILADMIN_USER_LOGIN_FORM = "accounts.forms.LoginForm"
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", "つなぐ")
# Everyone who can open client records, the volunteer registry or the outbox must use 2FA
# (accounts/policy.py); this makes it every admin user, community-group editors included.
STAFF_2FA_REQUIRED_FOR_ALL = env_bool("STAFF_2FA_REQUIRED_FOR_ALL", False)
STAFF_SESSION_IDLE_MINUTES = env_int("STAFF_SESSION_IDLE_MINUTES", 30)
STAFF_SESSION_MAX_HOURS = env_int("STAFF_SESSION_MAX_HOURS", 12)
SESSION_COOKIE_AGE = STAFF_SESSION_MAX_HOURS * 3600  # the server enforces both limits itself
X_FRAME_OPTIONS = "DENY"  # Wagtail's preview opts itself back in to SAMEORIGIN
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Japanese first
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語")]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True
# Overrides first: they win over every catalogue, Wagtail's and Django's included (its ja misses
# or mistranslates strings our editors meet; see that django.po's header).
LOCALE_PATHS = [BASE_DIR / "tsunagu" / "locale_overrides", BASE_DIR / "tsunagu" / "locale"]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_I18N_ENABLED = False
# One town, one time zone: no list of 600 English zone names in everyone's account settings.
WAGTAIL_USER_TIME_ZONES = [TIME_ZONE]

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
# MAP_TILE_URL: the tile server ({z}/{x}/{y}, possibly the town's own); set but empty means no
# map at all, the list only. MAP_TILES_URL is its older name (docker-compose passes it empty).
MAP_TILE_URL = os.environ.get(
    "MAP_TILE_URL", env("MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
).strip()
LEAFLET_CONFIG = {
    "TILES": MAP_TILE_URL,
    "ATTRIBUTION_PREFIX": env("MAP_ATTRIBUTION", "© OpenStreetMap contributors"),
    "DEFAULT_CENTER": (
        float(env("MAP_CENTER_LAT", "27.39228") or 0),
        float(env("MAP_CENTER_LNG", "128.65547") or 0),
    ),
    "DEFAULT_ZOOM": env_int("MAP_DEFAULT_ZOOM", 13),
    "RESET_VIEW": False,
    "NO_GLOBALS": False,
}

# --- Security headers (tsunagu/security_headers.py). Scripts and styles only from our own origin
# (scripts also with the request's nonce); the map's tiles are the one thing from elsewhere.
# frame-ancestors is 'none', or 'self' where a view allows framing (Wagtail's preview).
_map_tiles = urlsplit(LEAFLET_CONFIG["TILES"])
MAP_TILES_ORIGIN = (
    f"{_map_tiles.scheme}://{_map_tiles.netloc.replace('{s}', '*')}" if _map_tiles.netloc else ""
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *([MAP_TILES_ORIGIN] if MAP_TILES_ORIGIN else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Added on admin paths only: Draftail, the rich-text editor, renders <style> elements whose text
# changes as one types (placeholders, list counters) and takes no nonce. Scripts stay strict there.
CONTENT_SECURITY_POLICY_ADMIN_ADDITIONS = {"style-src": [UNSAFE_INLINE]}
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}
# Staff avatars would otherwise be fetched from gravatar.com, telling it who uses the admin.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# --- /healthz (tsunagu/health.py): its details (database vendor, workers, timings, outbox) only
# for callers from these networks, or presenting HEALTHZ_TOKEN in an X-Healthz-Token header.
HEALTHZ_INTERNAL_NETWORKS = env_list(
    "HEALTHZ_INTERNAL_NETWORKS",
    "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7",
)
try:
    HEALTHZ_INTERNAL_NETWORKS = [
        str(ip_network(n, strict=False)) for n in HEALTHZ_INTERNAL_NETWORKS
    ]
except ValueError as exc:
    raise ImproperlyConfigured(f"HEALTHZ_INTERNAL_NETWORKS: {exc}") from exc
HEALTHZ_TOKEN = env("HEALTHZ_TOKEN", "")

# --- Events: sign-ups' names and contacts are anonymised this many days after the event ends.
EVENTS_SIGNUP_RETENTION_DAYS = env_int("EVENTS_SIGNUP_RETENTION_DAYS", 30)
# People in one sign-up (never above the model's hard limit of 20); a sign-up also takes at most
# half of a limited event's seats (events/services.py).
EVENT_SIGNUP_MAX_PARTY_SIZE = env_int("EVENT_SIGNUP_MAX_PARTY_SIZE", 10)

# --- Anonymous forms (tsunagu/throttle.py): event sign-ups, volunteer registration and shift
# sign-up requests, at most COUNT per SECONDS from one address (TRUSTED_PROXY_COUNT) and target.
PUBLIC_SIGNUP_THROTTLE_COUNT = env_int("PUBLIC_SIGNUP_THROTTLE_COUNT", 5)
PUBLIC_SIGNUP_THROTTLE_SECONDS = env_int("PUBLIC_SIGNUP_THROTTLE_SECONDS", 600)
# Furigana (resources/furigana.py): one request per page a resident opens with ふりがな on.
FURIGANA_REQUESTS_PER_MINUTE = env_int("FURIGANA_REQUESTS_PER_MINUTE", 30)

# --- Volunteers' sign-in links (volunteers/links.py): each works once, for this many hours; the
# link that confirms a new email address too. A day lets a volunteer who reads mail once a day
# still use it; a leaked link is short-lived, and dies as soon as any newer one is used.
VOLUNTEER_SIGN_IN_LINK_HOURS = env_int("VOLUNTEER_SIGN_IN_LINK_HOURS", 24)

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
# Cells counting fewer people than this are suppressed in reports that leave the team.
REPORT_MIN_CELL = env_int("REPORT_MIN_CELL", 3)
# An activity whose host declined a person is not proposed to them again for this many days.
MATCHING_DECLINED_EXCLUDE_DAYS = env_int("MATCHING_DECLINED_EXCLUDE_DAYS", 180)
# A plan the meeting continues is reviewed again after this many days, unless it says otherwise.
PLAN_REVIEW_INTERVAL_DAYS = env_int("PLAN_REVIEW_INTERVAL_DAYS", 90)
# The Japanese TrueType font embedded in meeting-paper PDFs (else ReportLab's CID font).
PDF_FONT_PATH = env("PDF_FONT_PATH", "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf")
FOLLOWUP_ASK_HOST = env_bool("FOLLOWUP_ASK_HOST", True)  # a short question to the host place too
FOLLOWUP_REMIND_HOUR = env_int("FOLLOWUP_REMIND_HOUR", 9)  # local time on the due date
FOLLOWUP_ESCALATE_AFTER_DAYS = env_int("FOLLOWUP_ESCALATE_AFTER_DAYS", 7)
FOLLOWUP_HOST_LINK_MAX_AGE_DAYS = env_int("FOLLOWUP_HOST_LINK_MAX_AGE_DAYS", 30)

# --- Retention: a client's personal data is erased this many years after the case closed
# (matching/erasure.py; the daily task and ``manage.py erase_expired_clients``).
CLIENT_RETENTION_YEARS = env_int("CLIENT_RETENTION_YEARS", 5)

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
    # Every line goes through the redaction of secret link segments (tsunagu/redaction.py).
    "filters": {"redact": {"()": "tsunagu.redaction.RedactingFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's request logger would print the request (and so form data) on errors.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
