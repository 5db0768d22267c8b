"""Fixtures shared by the whole suite, and the rule for tests that need more than Python.

Tests marked ``fullstack`` need PostgreSQL and Redis; tests marked ``e2e`` need a Chromium; tests
marked ``proxy`` need Varnish (Debian's ``varnish``). On a laptop without them those tests skip
with the reason. Under CI (``CI=true``) or with
``TSUNAGU_REQUIRE_SERVICES=1`` the same absence fails them: a suite that silently skipped its
full-stack half would pass while proving nothing.
"""

import functools
import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest
import redis
from django.conf import settings

DEFAULT_CHROMIUM = "/usr/bin/chromium"
E2E_DIR = Path(__file__).parent / "e2e"


def services_required() -> bool:
    return (
        os.environ.get("TSUNAGU_REQUIRE_SERVICES") == "1"
        or os.environ.get("CI", "").lower() == "true"
    )


def _missing(reason: str) -> NoReturn:
    """Skip, or fail when services are required."""
    if services_required():
        pytest.fail(
            f"{reason} (required: CI=true or TSUNAGU_REQUIRE_SERVICES=1 is set)", pytrace=False
        )
    pytest.skip(reason)


def _redacted(url: str) -> str:
    # Keep a password in REDIS_URL out of the test report.
    scheme, sep, rest = url.partition("://")
    return f"{scheme}{sep}{rest.rpartition('@')[2]}"


# Cached: probed once per session, not once per test.
@functools.cache
def redis_problem() -> str | None:
    url = settings.REDIS_URL
    if not url:
        return "REDIS_URL is not set"
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        return f"Redis at {_redacted(url)} is unreachable ({exc.__class__.__name__}: {exc})"
    finally:
        client.close()
    return None


@functools.cache
def fullstack_problem() -> str | None:
    # The settings, not the raw variable: dj-database-url accepts several PostgreSQL schemes.
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        return f"DATABASE_URL does not select PostgreSQL (engine: {engine})"
    return redis_problem()


def _chromium_executable() -> str:
    return os.environ.get("TSUNAGU_CHROMIUM") or DEFAULT_CHROMIUM


@functools.cache
def varnish_problem() -> str | None:
    if shutil.which("varnishd", path=f"{os.environ.get('PATH', '')}:/usr/sbin") is None:
        return "no varnishd (install Debian's varnish)"
    return None


@functools.cache
def chromium_problem() -> str | None:
    path = _chromium_executable()
    if not os.access(path, os.X_OK):
        return f"no Chromium at {path} (install Debian's chromium, or set TSUNAGU_CHROMIUM)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # A browser test that forgot its marker would otherwise bypass the Chromium check below.
    for item in items:
        if E2E_DIR in Path(item.path).parents and not item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # tryfirst: decide before any fixture starts a browser or touches a database.
    if item.get_closest_marker("fullstack") and (problem := fullstack_problem()):
        _missing(problem)
    if item.get_closest_marker("e2e") and (problem := chromium_problem()):
        _missing(problem)
    if item.get_closest_marker("proxy") and (problem := varnish_problem()):
        _missing(problem)


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """The Chromium binary e2e tests drive (Debian's; ``TSUNAGU_CHROMIUM`` overrides)."""
    if problem := chromium_problem():
        _missing(problem)
    return _chromium_executable()


@pytest.fixture
def redis_url() -> str:
    """The configured Redis (``REDIS_URL``), reachable and with its database emptied first.

    Emptied so messages left by an earlier run are never delivered to this one: point
    ``REDIS_URL`` at a database kept for tests (CI uses ``/15``).
    """
    if problem := redis_problem():
        _missing(problem)
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        client.flushdb()
    finally:
        client.close()
    return settings.REDIS_URL


@pytest.fixture(scope="class")
def sample_town(django_db_setup, django_db_blocker):
    """The whole demo town, loaded once per test class (it takes seconds) and rolled back after.

    Each test still runs in its own savepoint inside this transaction. Yields load_demo's output.
    """
    from io import StringIO

    from django.core.management import call_command
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        restore_migration_data()
        out = StringIO()
        call_command("load_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def restore_migration_data() -> None:
    """Recreate what Wagtail's data migrations made, if a transactional test flushed it away.

    A flush keeps content types and permissions (post_migrate makes them again, with new ids, so
    the cache must go) but not the root page, locale, collection and default site that
    migrations created. Teams and districts belong to the default site unless told otherwise.
    """
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Collection, Locale, Page, Site

    ContentType.objects.clear_cache()
    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root", live=True))
    if not Site.objects.exists():  # as wagtailcore's 0002: a welcome page, served at localhost
        root = Page.get_first_root_node()
        welcome = root.get_children().filter(slug="home").first() or root.add_child(
            instance=Page(title="Welcome to your new Wagtail site!", slug="home", live=True)
        )
        Site.objects.create(hostname="localhost", root_page=welcome, is_default_site=True)
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")


@pytest.fixture(autouse=True)
def _migration_data_for_transactional_tests(request: pytest.FixtureRequest) -> None:
    """Transactional tests start after another's flush: give them the migration data back."""
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and marker.kwargs.get("transaction", False)
    if transactional or "transactional_db" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        restore_migration_data()


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Cached pages and menus would outlive a test's rolled-back rows: start with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def rendering_client(settings):
    """A test client the page cache (tsunagu/page_cache.py) passes by: every request rendered,
    for query counts and timings of rendering itself."""
    from django.test import Client

    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "tsunagu.page_cache.PageCacheMiddleware"
    ]
    return Client()


@pytest.fixture(autouse=True)
def _mail_through_the_outbox(settings) -> None:
    """Django's test set-up points EMAIL_BACKEND at locmem; the product points it at the outbox,
    which then sends through OUTBOX_EMAIL_BACKEND (locmem in tests). Keep the product's path."""
    settings.EMAIL_BACKEND = "outbox.stored.OutboxBackend"


@pytest.fixture(autouse=True)
def _verified_force_login(request: pytest.FixtureRequest, monkeypatch) -> None:
    """``client.force_login(user)`` also passes the second factor, as a real login would after
    the code: staff must use 2FA (accounts/), and the suite's admin tests are about other things.

    Tests of 2FA itself opt out with ``@pytest.mark.unverified_login``.
    """
    if request.node.get_closest_marker("unverified_login"):
        return
    from django.test import Client

    original = Client.force_login

    def force_login(self, user, backend=None) -> None:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        original(self, user, backend)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="tests", confirmed=True)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)
