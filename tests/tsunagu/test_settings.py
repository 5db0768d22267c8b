"""Settings come from the environment; production refuses to start without its secrets."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; from django.conf import settings; django.setup(); print(json.dumps({"
    "'engine': settings.DATABASES['default']['ENGINE'],"
    "'cache': settings.CACHES['default']['BACKEND'],"
    "'broker': settings.CELERY_BROKER_URL,"
    "'eager': settings.CELERY_TASK_ALWAYS_EAGER,"
    "'email': settings.OUTBOX_EMAIL_BACKEND, 'mail_api': settings.EMAIL_BACKEND,"
    "'lang': settings.LANGUAGE_CODE, 'tz': settings.TIME_ZONE, 'i18n': settings.USE_I18N}))"
)


def _run(module: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": module, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _settings(module: str, **env: str) -> dict:
    result = _run(module, env, "-c", PROBE)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_embedded_default_is_sqlite_locmem_console_and_eager():
    loaded = _settings("tsunagu.settings.dev")
    assert loaded == {
        "engine": "django.db.backends.sqlite3",
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "broker": "memory://",
        "eager": True,
        "email": "django.core.mail.backends.console.EmailBackend",
        "mail_api": "outbox.stored.OutboxBackend",  # send_mail writes to the outbox first
        "lang": "ja",
        "tz": "Asia/Tokyo",
        "i18n": True,
    }


def test_database_and_redis_urls_select_the_full_stack():
    loaded = _settings(
        "tsunagu.settings.dev",
        DATABASE_URL="postgres://u@db.invalid:5432/tsunagu",
        REDIS_URL="redis://cache.invalid:6379/0",
    )
    assert loaded["engine"] == "django.db.backends.postgresql"
    assert loaded["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert loaded["broker"] == "redis://cache.invalid:6379/0"
    assert loaded["eager"] is False


PRODUCTION_ENV = {
    "SECRET_KEY": "k" * 20 + "Zq8#vX2!pL9@wR4$tY7%uI1^oP3&aS6*dF0(gH5)jK",
    "ALLOWED_HOSTS": "tsunagu.example.jp",
    "DATABASE_URL": "postgres://u@db.invalid:5432/tsunagu",
    "REDIS_URL": "redis://cache.invalid:6379/0",
    "WAGTAILADMIN_BASE_URL": "https://tsunagu.example.jp",
}


def test_production_passes_check_deploy_without_warnings():
    result = _run("tsunagu.settings.production", PRODUCTION_ENV, "manage.py", "check", "--deploy")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = _run("tsunagu.settings.production", env, "manage.py", "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_the_public_address_for_emailed_links():
    env = {**PRODUCTION_ENV, "WAGTAILADMIN_BASE_URL": ""}
    result = _run("tsunagu.settings.production", env, "manage.py", "check")
    assert result.returncode != 0
    assert "WAGTAILADMIN_BASE_URL must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    env = {**PRODUCTION_ENV, "ALLOWED_HOSTS": ""}
    result = _run("tsunagu.settings.production", env, "manage.py", "check")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr
