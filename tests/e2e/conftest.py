"""A real Chromium (Playwright, sync API) against pytest-django's live server.

The browser is Debian's (``/usr/bin/chromium``, or ``TSUNAGU_CHROMIUM``), not one Playwright
downloads: CI and the town's machines have no internet. ``tests/conftest.py`` decides whether a
missing browser skips or fails.
"""

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command

# No internet: these stop Chromium phoning out (updates, sync, QUIC probes) and waiting on it.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def page(chromium_executable: str, transactional_db, monkeypatch) -> Iterator:
    """A browser page set up like a resident's phone in Japan, in a Chromium of its own.

    Per test, not per session, and started after the database fixtures: while Playwright's loop
    runs, Django gives this thread a different connection (connections are per event loop when
    one is running), which would miss the serialized rollback and flush the wrong handle.
    """
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in this thread, and Django refuses ORM
    # calls from such a thread; they are safe here, never concurrent with the browser. Only for
    # this test: set for the whole process, it would leak into subprocesses (check --deploy fails).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo")
            context.set_default_timeout(15_000)
            yield context.new_page()
        finally:
            browser.close()


@pytest.fixture
def demo_site(transactional_db) -> None:
    """The sample town, committed so the live server's thread sees it.

    Transactional: a flush ends each test; tests/conftest.py restores Wagtail's migration data.
    Request it before ``page`` (as ``usefixtures`` does) so it loads before the browser starts.
    """
    call_command("load_demo", stdout=StringIO())
