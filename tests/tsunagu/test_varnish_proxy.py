"""deploy/varnish/default.vcl in front of the app: a page twice is a proxy hit, a publish purges.

Needs varnishd (Debian's ``varnish``): skipped without it, failed under CI (tests/conftest.py).
"""

import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from resources.models import PlacePage

from ..resources.factories import PlacePageFactory, directory_page

VCL = Path(django_settings.BASE_DIR) / "deploy" / "varnish" / "default.vcl"
HOST = "localhost"  # the test site's hostname: what the purge names

pytestmark = [pytest.mark.proxy, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _vcl_for(backend_port: int) -> str:
    """The repo's VCL, its backend pointed at the live server instead of compose's "web"."""
    text = VCL.read_text()
    text, hosts = re.subn(r'\.host = "web";', '.host = "127.0.0.1";', text)
    text, ports = re.subn(r'\.port = "8000";', f'.port = "{backend_port}";', text)
    assert hosts == ports == 1
    return text


@pytest.fixture
def varnish(live_server) -> Iterator[str]:
    """A varnishd on a free port in front of the live server; yields its base URL."""
    workdir = Path(tempfile.mkdtemp(prefix="tsunagu-varnish-"))
    vcl = workdir / "default.vcl"
    vcl.write_text(_vcl_for(int(live_server.url.rsplit(":", 1)[1])))
    port = _free_port()
    varnishd = shutil.which("varnishd", path="/usr/sbin:/usr/bin")
    process = subprocess.Popen(
        [
            varnishd,
            "-F",
            "-j",
            "none",
            "-n",
            str(workdir / "n"),
            "-a",
            f"127.0.0.1:{port}",
            "-f",
            str(vcl),
            "-s",
            "malloc,32m",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode() if process.poll() is not None else ""
                    pytest.fail(f"varnishd did not start: {output}")
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)


def _get(url: str, **headers: str):
    request = urllib.request.Request(url, headers={"Host": HOST, **headers})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.headers, response.read().decode()


def test_pages_come_from_the_proxy_until_a_publish(varnish, settings):
    settings.WAGTAILFRONTENDCACHE = {
        "proxy": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": varnish,
        }
    }
    directory_page()
    place = PlacePageFactory(title="みんなの畑")

    first_headers, first = _get(f"{varnish}/places/")
    second_headers, second = _get(f"{varnish}/places/")
    assert "みんなの畑" in first and second == first
    assert first_headers["X-Cache"] == "miss"
    assert second_headers["X-Cache"] == "hit"
    assert "s-maxage=600" in second_headers["Cache-Control"]
    # Served by varnish, not the app: only the app's page cache labels its own hits.
    assert second_headers["X-Page-Cache"] == "miss"

    page = PlacePage.objects.get(pk=place.pk)
    page.title = "みんなの農園"
    page.save_revision().publish()  # → resources.caching.invalidate → PURGE → ban of the host

    headers, after = _get(f"{varnish}/places/")
    assert headers["X-Cache"] == "miss"
    assert "みんなの農園" in after and "みんなの畑" not in after


def test_sessions_pass_and_other_cookies_do_not_split_the_cache(varnish):
    directory_page()
    _get(f"{varnish}/places/")
    headers, _ = _get(f"{varnish}/places/", Cookie="csrftoken=abc; theme=dark")
    assert headers["X-Cache"] == "hit"
    for _ in range(2):
        headers, _ = _get(f"{varnish}/places/", Cookie=f"{django_settings.SESSION_COOKIE_NAME}=x")
        assert headers["X-Cache"] == "miss"
        assert "private" in headers["Cache-Control"]


def test_answers_without_public_are_never_stored(varnish):
    directory_page()
    for _ in range(2):
        headers, _ = _get(f"{varnish}/healthz")
        assert headers["X-Cache"] == "miss"
