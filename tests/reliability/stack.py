"""The processes of a fault scenario: a Redis server of the test's own (so it can be stopped),
real ``celery worker`` processes and ``manage.py outbox_sweep --loop`` sweepers, all pointed at
the test database and the recording SMTP server."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

from .smtp import free_port

ROOT = Path(__file__).resolve().parents[2]


class RedisServer:
    """``redis-server`` on a free port, no persistence; stop() and start() keep the port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen | None = None
        self._dir = tempfile.mkdtemp(prefix="tsunagu-redis-")

    @staticmethod
    def binary() -> str | None:
        return shutil.which("redis-server")

    def start(self) -> None:
        self._process = subprocess.Popen(
            [
                self.binary() or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", self._dir,
            ],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                client.ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        raise TimeoutError("redis-server did not start")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None

    def flushdb(self) -> None:
        redis.Redis.from_url(self.url).flushdb()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self._dir, ignore_errors=True)


class Processes:
    """Workers and sweepers of one scenario; everything started is killed at ``stop_all``."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = {**os.environ, **env}
        self.running: list[subprocess.Popen] = []
        self._names = 0
        self.logs = Path(tempfile.mkdtemp(prefix="tsunagu-reliability-logs-"))

    def _spawn(self, args: list[str], name: str) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "wb")
        process = subprocess.Popen(
            [sys.executable, *args], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        process.log = log  # type: ignore[attr-defined]
        self.running.append(process)
        return process

    def worker(self) -> subprocess.Popen:
        """A solo-pool worker: the process that sends is the one a ``kill -9`` hits."""
        self._names += 1
        name = f"worker{self._names}"
        return self._spawn(
            [
                "-m", "celery", "-A", "tsunagu", "worker", "--pool=solo", "--loglevel=WARNING",
                "--without-heartbeat", "--without-gossip", "--without-mingle",
                f"--hostname={name}@%h",
            ],
            name,
        )  # fmt: skip

    def sweeper(self, interval: float) -> subprocess.Popen:
        self._names += 1
        return self._spawn(
            ["manage.py", "outbox_sweep", "--loop", "--interval", str(interval)],
            f"sweeper{self._names}",
        )

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        """``kill -9``: no clean-up, no ack, no final commit."""
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait()

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                process.terminate()
        for process in self.running:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.log.close()  # type: ignore[attr-defined]
        self.running.clear()

    def tail(self, lines: int = 40) -> str:
        out = []
        for path in sorted(self.logs.glob("*.log")):
            text = path.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {path.name}\n" + "\n".join(text))
        return "\n".join(out)
