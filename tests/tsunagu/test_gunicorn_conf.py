"""Gunicorn as configured by tsunagu/gunicorn_conf.py: no Server header, no secrets in the log."""

import datetime as dt
import http.client
import io
import logging
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from gunicorn.config import Config

from tsunagu.gunicorn_conf import RedactingLogger
from tsunagu.redaction import RedactingFilter, redact

SECRET = "SeCrEt-1x2y3z"
SECRET_ARGUMENTS = {"token", "uidb64"}
CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")


def _routes(patterns, prefix: str = "") -> list[str]:
    """Every route in the URL conf as one string, e.g. ``followups/host/<str:token>/``."""
    found = []
    for entry in patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += _routes(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            found.append(prefix + route)
    return found


def _sample_path(route: str) -> str:
    def value(match: re.Match) -> str:
        if match["name"] in SECRET_ARGUMENTS:
            return SECRET
        return "7" if match["kind"] == "int" else "listing"

    return "/" + CONVERTER.sub(value, route)


def test_every_route_with_a_secret_argument_is_redacted():
    routes = [
        route
        for route in _routes(get_resolver().url_patterns)
        if {m["name"] for m in CONVERTER.finditer(route)} & SECRET_ARGUMENTS
    ]
    assert len(routes) >= 8  # host answers, proposals, volunteers' links, invitations, …
    for route in routes:
        path = _sample_path(route)
        assert SECRET not in redact(path), route
        # Without the trailing slash (the redirect's request) and inside a Referer too.
        assert SECRET not in redact(path.rstrip("/")), route
        assert SECRET not in redact(f"https://tsunagu.example.jp{path}?x=1"), route


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/followups/host/abc:1t:xyz/", "/followups/host/…/"),
        ("/volunteers/calendar/abc123.ics", "/volunteers/calendar/….ics"),
        ("/verification/confirm/listing/12/a:b:c/", "/verification/confirm/listing/12/…/"),
        ("/community/invite/MTI/set-password/", "/community/invite/…/…/"),
        # Ordinary pages keep their path: the log must stay useful.
        ("/volunteers/link/sent/", "/volunteers/link/sent/"),
        ("/community/invite/done/", "/community/invite/done/"),
        ("/places/yuinoie/", "/places/yuinoie/"),
    ],
)
def test_redact_replaces_only_the_secret_segment(path, logged):
    assert redact(path) == logged


def test_logger_redacts_every_field_of_the_access_log():
    token_path = f"/matching/respond/{SECRET}/"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": token_path + "?from=mail",
        "PATH_INFO": token_path,
        "QUERY_STRING": "from=mail",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.1",
        "HTTP_REFERER": f"https://tsunagu.example.jp/followups/host/{SECRET}/",
    }
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    logger = RedactingLogger(Config())
    atoms = logger.atoms(response, request, environ, dt.timedelta(seconds=1))
    assert atoms["U"] == "/matching/respond/…/"
    assert atoms["r"] == "GET /matching/respond/…/?from=mail HTTP/1.1"
    assert not [key for key, value in atoms.items() if SECRET in str(value)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn(tmp_path: Path):
    """A real gunicorn on the test settings (an empty SQLite file: /healthz needs no tables)."""
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tsunagu.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",
    }
    command = [sys.executable, "-m", "gunicorn", "-c", "python:tsunagu.gunicorn_conf"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "1", "tsunagu.wsgi:application"]
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, log.read_text()
                time.sleep(0.2)
        yield port, log
    finally:
        process.terminate()
        process.wait(timeout=30)


def _get(port: int, path: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers={"Host": "localhost"})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_real_gunicorn_sends_no_server_header_and_logs_no_secret(gunicorn):
    port, log = gunicorn
    response = _get(port, "/healthz")
    assert response.status == 200
    assert response.getheader("Server") is None
    assert response.getheader("Content-Security-Policy")
    _get(port, f"/volunteers/link/{SECRET}/")
    _get(port, f"/followups/host/{SECRET}")

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and log.read_text().count('"GET ') < 3:
        time.sleep(0.1)
    access = [line for line in log.read_text().splitlines() if '"GET ' in line]
    assert '"GET /healthz" 200' in access[0]
    assert '"GET /volunteers/link/…/"' in access[1]
    assert '"GET /followups/host/…"' in access[2]
    assert not [line for line in access if SECRET in line]


def test_django_error_log_redacts_a_secret_path():
    """Django logs "Internal Server Error: <path>" for a 500; the configured handler redacts it."""
    logger = logging.getLogger("django.request")
    (handler,) = [
        h for h in logger.handlers if any(isinstance(f, RedactingFilter) for f in h.filters)
    ]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        logger.error("Internal Server Error: %s", "/matching/respond/SeCrEtToKeN123/")
    finally:
        handler.setStream(previous)
    line = stream.getvalue()
    assert "Internal Server Error: /matching/respond/…/" in line
    assert "SeCrEtToKeN123" not in line
