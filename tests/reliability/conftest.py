"""The fault suite's stack: a Redis server of its own, the recording SMTP server, and the
environment for the worker and sweeper processes. The tests are transactional: the rows must be
committed for those processes to see them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import _missing, fullstack_problem
from tests.support.worker import worker_database_url

from .smtp import RecordingSMTP
from .stack import Processes, RedisServer

LEASE_SECONDS = 4
SWEEP_SECONDS = 1.0


class Stack:
    def __init__(self, redis_server: RedisServer, smtp: RecordingSMTP) -> None:
        self.redis = redis_server
        self.smtp = smtp
        self.env = {
            "DJANGO_SETTINGS_MODULE": "tsunagu.settings.test",
            "REDIS_URL": redis_server.url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "OUTBOX_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
            "EMAIL_TIMEOUT": "2",
            "OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
            "OUTBOX_SWEEP_SECONDS": str(int(SWEEP_SECONDS)),
            "OUTBOX_RETRY_BASE_SECONDS": "1",
            "OUTBOX_RETRY_MAX_SECONDS": "4",
            "OUTBOX_PUBLISH_CHUNK": "20",
            "OUTBOX_COMMIT_RETRY_SECONDS": "15",
        }

    def redis_queue_length(self) -> int:
        """Messages waiting in the workers' queue (Celery's default list)."""
        import redis

        return redis.Redis.from_url(self.redis.url).llen("celery")

    def processes(self) -> Processes:
        return Processes({**self.env, "DATABASE_URL": worker_database_url()})


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    if problem := fullstack_problem():
        _missing(problem)
    if RedisServer.binary() is None:
        _missing("redis-server is not installed (the fault suite starts and stops its own)")
    redis_server, smtp = RedisServer(), RecordingSMTP()
    redis_server.start()
    smtp.start()
    try:
        yield Stack(redis_server, smtp)
    finally:
        smtp.stop()
        redis_server.close()


def pytest_terminal_summary(terminalreporter) -> None:
    """The fault suite's table in the run's closing summary, also when every scenario passed."""
    from .test_outbox_faults import REPORT, table

    if REPORT:
        terminalreporter.write_sep("=", "outbox fault suite")
        terminalreporter.write_line(table())
