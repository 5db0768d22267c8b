"""Every volunteers test: tasks run in-process (even when REDIS_URL is set), a fresh cache."""

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from tsunagu.celery import app


@pytest.fixture(autouse=True)
def _eager_tasks() -> Iterator[None]:
    # With REDIS_URL set the suite would otherwise publish to a broker nobody consumes; the one
    # test that needs a real worker switches this back itself. Shared tasks run on the *current*
    # Celery app, and any Celery() made elsewhere (a worker probe) may have become current.
    app.set_current()
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    # The link-email throttle counts in the cache; one test's emails must not throttle the next.
    cache.clear()
