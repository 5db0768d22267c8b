"""A real ``celery worker`` process for tests that must prove behaviour across processes."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def celery_worker(
    *, redis_url: str, database_url: str | None = None, hostname: str = "test", extra_env=None
) -> Iterator[subprocess.Popen]:
    """Start a worker against ``redis_url``; yield once it answers a ping; kill it afterwards."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tsunagu.settings.test",
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        **(extra_env or {}),
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    process = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "tsunagu", "worker",
            "--pool=solo", "--loglevel=WARNING", "--without-heartbeat", "--without-gossip",
            "--without-mingle", f"--hostname={hostname}@%h",
        ],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        _wait_until_ready(redis_url, process)
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_ready(redis_url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    from celery import Celery

    probe = Celery(broker=redis_url, set_as_current=False)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                output = process.stdout.read() if process.stdout else ""
                raise RuntimeError(f"celery worker exited early:\n{output}")
            if probe.control.ping(timeout=0.5):
                return
        raise TimeoutError("celery worker did not answer a ping in time")
    finally:
        probe.close()


def worker_database_url() -> str:
    """DATABASE_URL pointing at the test database this process created (test_<name>)."""
    from django.conf import settings
    from django.db import connection

    parts = urlsplit(settings.DATABASE_URL)
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def wait_for(condition: Callable[[], bool], timeout: float = 60) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` seconds pass; its last answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()
