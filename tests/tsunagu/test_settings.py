"""Settings come from the environment; production refuses to start without its secrets."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

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
    "FIELD_ENCRYPTION_KEYS": f"{Fernet.generate_key().decode()},{Fernet.generate_key().decode()}",
    "FIELD_HASH_KEY": secrets.token_urlsafe(48),
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


@pytest.mark.parametrize("name", ["FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY"])
def test_production_refuses_to_start_without_its_encryption_keys(name):
    result = _run("tsunagu.settings.production", {**PRODUCTION_ENV, name: ""}, "manage.py", "check")
    assert result.returncode != 0
    assert f"{name} must be set" in result.stderr


def test_production_refuses_a_malformed_encryption_key():
    env = {**PRODUCTION_ENV, "FIELD_ENCRYPTION_KEYS": "not-a-key"}
    result = _run("tsunagu.settings.production", env, "manage.py", "check")
    assert result.returncode != 0
    assert "tsunagu.E101" in result.stderr and "not a Fernet key" in result.stderr


SECRETS_PROBE = (
    "import json, django; from django.conf import settings; django.setup(); print(json.dumps("
    "[settings.SECRET_KEY, settings.FIELD_ENCRYPTION_KEYS, settings.FIELD_HASH_KEY]))"
)


def test_dev_settings_take_no_secret_from_the_code():
    """Without the environment: the checkout's own generated file (var/secrets.json)."""
    unset = dict.fromkeys(("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY"), "")
    result = _run("tsunagu.settings.dev", unset, "-c", SECRETS_PROBE)
    assert result.returncode == 0, result.stderr
    secret_key, keys, hash_key = json.loads(result.stdout.strip().splitlines()[-1])
    kept = json.loads((ROOT / "var" / "secrets.json").read_text())
    assert (secret_key, keys, hash_key) == (
        kept["SECRET_KEY"], [kept["FIELD_ENCRYPTION_KEY"]], kept["FIELD_HASH_KEY"]
    )  # fmt: skip
    for module in ("manage.py", "tsunagu/celery.py", "tsunagu/settings/dev.py"):
        assert secret_key not in (ROOT / module).read_text()


def test_dev_settings_prefer_the_environment():
    env = {k: PRODUCTION_ENV[k] for k in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY")}
    result = _run("tsunagu.settings.dev", env, "-c", SECRETS_PROBE)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        env["SECRET_KEY"], env["FIELD_ENCRYPTION_KEYS"].split(","), env["FIELD_HASH_KEY"]
    ]  # fmt: skip
