"""A WSGI app that only answers with one saved page: gunicorn's own ceiling for the benchmark.

Served by the same gunicorn settings as the app (tests/benchmarks/test_http_bench.py), it shows
how fast any Python answer can be there, with no framework, cache or database behind it.
"""

import os
from pathlib import Path

BODY = Path(os.environ["TSUNAGU_BENCH_FILE"]).read_bytes()
HEADERS = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(BODY)))]


def application(environ: dict, start_response) -> list[bytes]:
    start_response("200 OK", HEADERS)
    return [BODY]
