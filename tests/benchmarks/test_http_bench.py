"""Requests per second over HTTP: the app's page cache and Varnish against nginx serving a file.

Run alone (about four minutes, plus loading the demo into its database the first time):

    REDIS_URL=redis://127.0.0.1:6379/13 DATABASE_URL=postgres://postgres@127.0.0.1:5432/x \\
    TSUNAGU_BENCH_BASE=/work/wt/base18 \\
    .venv/bin/python -m pytest tests/benchmarks/test_http_bench.py -q -s -p no:logging

Gunicorn (2 sync workers, production settings, ``tsunagu.gunicorn_conf``) serves the demo town
from a database of its own beside the configured one (``<name>_http_bench`` on the same
PostgreSQL server, or an SQLite file when DATABASE_URL is not PostgreSQL), with the configured
Redis as cache. nginx (Debian's) serves the app's /places/ saved as a file; Varnish (Debian's)
runs deploy/varnish/default.vcl in front of the same gunicorn when installed. wrk (Debian's): 2
threads, 8 connections, 8 s per target, three interleaved rounds after a 4 s warm-up of each.

``TSUNAGU_BENCH_BASE`` names another checkout of the app (e.g. ``git worktree add
/work/wt/base18 eca03eb``), served the same way from the same database for comparison. The
rendered /places/ asks for a query string nobody asked before on every request.

Asserts: the app's cached pages ≥ 25 % of the static file's rate, Varnish's ≥ 80 %, the rendered
/places/ ≥ 2× the other checkout's. Beside them, the same gunicorn answering with the saved page
from a bare WSGI app (``file_wsgi``): the most any Python answer can reach there.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
# ``pip install -e`` maps the app's packages to this checkout whatever the path says; another
# checkout's processes drop that finder, so its modules (and only its) are imported.
_OWN_MODULES = (
    "import runpy, sys; sys.meta_path[:] = [f for f in sys.meta_path"
    " if not getattr(f, '__module__', '').startswith('__editable__')]; "
)
MANAGE = [
    PYTHON,
    "-c",
    _OWN_MODULES + "sys.argv[:1] = []; runpy.run_path(sys.argv[0], run_name='__main__')",
]
GUNICORN = [
    PYTHON,
    "-c",
    _OWN_MODULES + "sys.argv[0] = 'gunicorn'; runpy.run_module('gunicorn', run_name='__main__')",
]
VCL = ROOT / "deploy" / "varnish" / "default.vcl"
ROUNDS = 3
SECONDS = 8
WARM_SECONDS = 4
APP_CACHED_SHARE = 0.25
PROXY_SHARE = 0.80
RENDERED_SPEEDUP = 2.0
# A different query string on every request: rendered, never a cache hit.
UNSEEN_QUERY_LUA = """
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "/places/?bench=" .. math.random(1, 1000000000) .. "-" .. counter)
end
"""


def report(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _tool(name: str) -> str:
    found = shutil.which(name, path=f"{os.environ.get('PATH', '')}:/usr/sbin")
    if found is None:
        pytest.skip(f"no {name} (apt-get install nginx wrk varnish)")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"{what} did not start (exit {process.poll()})")
            time.sleep(0.2)


def _bench_database_url() -> str:
    configured = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(configured)
    if parts.scheme.startswith("postgres"):
        name = f"{parts.path.lstrip('/') or 'tsunagu'}_http_bench"
        return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))
    return f"sqlite:///{ROOT / 'var' / 'http_bench.sqlite3'}"


def _environment(database_url: str, redis_url: str, root: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tsunagu.settings.production",
        "PYTHONPATH": str(root),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "http-bench-not-secret",
        "FIELD_ENCRYPTION_KEYS": "dGVzdC1vbmx5LWZpZWxkLWVuY3J5cHRpb24ta2V5LTE=",
        "FIELD_HASH_KEY": "http-bench-field-hash-key-not-secret-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "WAGTAILADMIN_BASE_URL": "http://127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "FRONTEND_CACHE_URL": "",
        "LOG_LEVEL": "WARNING",
        **_static(root),
    }


def _static(root: Path) -> dict[str, str]:
    # Production's manifest storage needs collected files: each checkout its own.
    return {"STATIC_ROOT": str(ROOT / "var" / f"http-bench-static-{root.name}")}


def _prepare_database(env: dict[str, str]) -> None:
    """Migrate and load the demo town once; later runs reuse it."""
    url = env["DATABASE_URL"]
    if url.startswith("postgres"):
        parts = urlsplit(url)
        admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
        name = parts.path.lstrip("/")
        exists = subprocess.run(
            ["psql", admin, "-qAtc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if not exists:
            subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    loaded = subprocess.run(
        [
            *manage,
            "shell",
            "-c",
            "from tsunagu.models import HomePage; print(HomePage.objects.count())",
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if loaded.splitlines()[-1:] == ["0"]:  # the last line: settings may log before it
        subprocess.run([*manage, "load_demo"], env=env, cwd=ROOT, check=True)


class Servers:
    """Processes started for the run; all stopped at the end, each by its own handle."""

    def __init__(self) -> None:
        self.processes: list[subprocess.Popen] = []
        self.workdir = Path(tempfile.mkdtemp(prefix="tsunagu-http-bench-"))
        self.workdir.chmod(0o755)

    def start(self, args: list[str], port: int, what: str, **kwargs) -> None:
        process = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs
        )
        self.processes.append(process)
        _wait_for(port, process, what)

    def gunicorn(self, root: Path, env: dict[str, str]) -> str:
        port = _free_port()
        env = {**env, "PYTHONPATH": str(root), **_static(root)}
        subprocess.run(
            [*MANAGE, "manage.py", "collectstatic", "--noinput", "-v0"],
            env=env,
            cwd=root,
            check=True,
        )
        args = [
            *GUNICORN, "-c", "python:tsunagu.gunicorn_conf",
            "--workers", "2", "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
            "--access-logfile", "/dev/null", "tsunagu.wsgi",
        ]  # fmt: skip
        self.start(args, port, f"gunicorn in {root}", env=env, cwd=root)
        return f"http://127.0.0.1:{port}"

    def gunicorn_file(self, html: bytes) -> str:
        """The same gunicorn serving the saved page from a bare WSGI app (``file_wsgi``)."""
        port = _free_port()
        page = self.workdir / "page.html"
        page.write_bytes(html)
        args = [
            *GUNICORN, "--workers", "2", "--worker-class", "sync",
            "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null",
            "tests.benchmarks.file_wsgi",
        ]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(ROOT), "TSUNAGU_BENCH_FILE": str(page)}
        self.start(args, port, "gunicorn with a bare WSGI app", env=env, cwd=ROOT)
        return f"http://127.0.0.1:{port}"

    def nginx(self, html: bytes) -> str:
        port = _free_port()
        site = self.workdir / "site"
        (site / "places").mkdir(parents=True)
        (site / "places" / "index.html").write_bytes(html)
        for path in (site, site / "places"):
            path.chmod(0o755)
        config = self.workdir / "nginx.conf"
        config.write_text(
            f"""daemon off;
worker_processes 2;
pid {self.workdir}/nginx.pid;
error_log {self.workdir}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    default_type text/html;
    access_log off;
    sendfile on;
    client_body_temp_path {self.workdir}/body;
    proxy_temp_path {self.workdir}/proxy;
    fastcgi_temp_path {self.workdir}/fastcgi;
    uwsgi_temp_path {self.workdir}/uwsgi;
    scgi_temp_path {self.workdir}/scgi;
    server {{ listen 127.0.0.1:{port}; root {site}; }}
}}
"""
        )
        self.start(
            [_tool("nginx"), "-c", str(config), "-e", str(self.workdir / "e.log")], port, "nginx"
        )
        return f"http://127.0.0.1:{port}"

    def varnish(self, backend: str) -> str:
        port = _free_port()
        backend_port = urlsplit(backend).port
        vcl = self.workdir / "default.vcl"
        text = VCL.read_text().replace('.host = "web";', '.host = "127.0.0.1";')
        vcl.write_text(text.replace('.port = "8000";', f'.port = "{backend_port}";'))
        args = [
            _tool("varnishd"), "-F", "-j", "none", "-n", str(self.workdir / "varnish"),
            "-a", f"127.0.0.1:{port}", "-f", str(vcl), "-s", "malloc,128m",
        ]  # fmt: skip
        self.start(args, port, "varnishd")
        return f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(self.workdir, ignore_errors=True)


@pytest.fixture
def servers() -> Iterator[Servers]:
    started = Servers()
    try:
        yield started
    finally:
        started.stop()


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read()


def _wrk(url: str, script: Path | None = None, seconds: int = SECONDS) -> float:
    args = [_tool("wrk"), "-t2", "-c8", f"-d{seconds}s", url]
    if script is not None:
        args[1:1] = ["-s", str(script)]
    output = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    assert non_2xx is None, output
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def test_requests_per_second(servers):
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.skip("REDIS_URL is not set (production settings need Redis)")
    env = _environment(_bench_database_url(), redis_url, ROOT)
    _prepare_database(env)
    app = servers.gunicorn(ROOT, env)
    base_root = os.environ.get("TSUNAGU_BENCH_BASE")
    base = servers.gunicorn(Path(base_root), env) if base_root else None
    html = _get(f"{app}/places/")
    static = servers.nginx(html)
    bare = servers.gunicorn_file(html)
    proxy = servers.varnish(app) if shutil.which("varnishd", path="/usr/sbin:/usr/bin") else None
    unseen = servers.workdir / "unseen.lua"
    unseen.write_text(UNSEEN_QUERY_LUA)

    targets: dict[str, tuple[str, Path | None]] = {
        f"nginx, /places/ ({len(html) // 1024} KB) as a static file": (f"{static}/places/", None),
        "gunicorn (2 sync workers), the same page from a bare WSGI app": (f"{bare}/", None),
        "app, /places/ from the page cache": (f"{app}/places/", None),
        "app, / from the page cache": (f"{app}/", None),
        "app, /events/ from the page cache": (f"{app}/events/", None),
        "app, /places/ rendered (unseen query string)": (app, unseen),
    }
    if proxy:
        targets["Varnish, /places/ cached"] = (f"{proxy}/places/", None)
    if base:
        targets[f"main at {base_root}, /places/ from its cache"] = (f"{base}/places/", None)
        targets[f"main at {base_root}, /places/ rendered (unseen query)"] = (base, unseen)
    for url, script in targets.values():
        # Fill the caches, and let each worker build its per-process indexes and cards: the
        # first seconds of a fresh worker are slower than every later round.
        _get(url if url.endswith("/") else f"{url}/places/?warm")
        _wrk(url, script, seconds=WARM_SECONDS)

    rates: dict[str, list[float]] = {label: [] for label in targets}
    for _ in range(ROUNDS):
        for label, (url, script) in targets.items():
            rates[label].append(_wrk(url, script))

    report("\n| target | requests/s (three rounds) | median |")
    report("|---|---|---|")
    for label, values in rates.items():
        shown = " · ".join(f"{value:,.0f}" for value in values)
        report(f"| {label} | {shown} | {statistics.median(values):,.0f} |")
    static_rate = statistics.median(next(iter(rates.values())))
    ceiling = statistics.median(
        rates["gunicorn (2 sync workers), the same page from a bare WSGI app"]
    )
    cached = statistics.median(rates["app, /places/ from the page cache"])
    report(f"app cached /places/ = {cached / static_rate:.1%} of the static file")
    report(
        f"gunicorn's own ceiling = {ceiling / static_rate:.1%} of the static file; "
        f"the app's cached /places/ = {cached / ceiling:.1%} of that ceiling"
    )
    if proxy:
        proxied = statistics.median(rates["Varnish, /places/ cached"])
        report(f"Varnish /places/ = {proxied / static_rate:.1%} of the static file")
    if base:
        rendered = statistics.median(rates["app, /places/ rendered (unseen query string)"])
        before = statistics.median(rates[f"main at {base_root}, /places/ rendered (unseen query)"])
        report(f"rendered /places/: {rendered / before:.2f}× main's")
    assert cached >= APP_CACHED_SHARE * static_rate
    if proxy:
        assert proxied >= PROXY_SHARE * static_rate
    if base:
        assert rendered >= RENDERED_SPEEDUP * before
