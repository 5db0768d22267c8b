"""How gunicorn serves Tsunagu (``gunicorn -c python:tsunagu.gunicorn_conf tsunagu.wsgi``).

The image sets ``GUNICORN_CMD_ARGS="--config python:tsunagu.gunicorn_conf"``, so every way the
container starts gunicorn reads this module. Command-line flags still override what is here.

Two things gunicorn cannot be told with a flag:

- It announces itself (``Server: gunicorn``) on every response, which only helps an attacker pick
  an exploit; no setting turns that off, so each worker drops the line after it starts.
- Its access log prints request paths, and some paths carry a secret: the links in emails to host
  places, volunteers, invitees and listing operators work without a login, so whoever reads the
  log could use them. The logger below replaces those segments with ``…``.
"""

from gunicorn.glogging import Logger
from gunicorn.http import wsgi as gunicorn_wsgi

from tsunagu.redaction import redact


class RedactingLogger(Logger):
    """Gunicorn's logger, with secret path segments removed from every access-log field.

    Every field, not only the path: the request line, the Referer and the environ variables carry
    the same URL, and an operator may change the log format without reading this module.
    """

    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()
        }


_default_headers_with_server = gunicorn_wsgi.Response.default_headers


def _default_headers_without_server(self) -> list[str]:
    return [
        line
        for line in _default_headers_with_server(self)
        if not line.lower().startswith("server:")
    ]


def hide_server_header() -> None:
    """Make gunicorn's responses carry no ``Server`` header (idempotent)."""
    gunicorn_wsgi.Response.default_headers = _default_headers_without_server


def post_worker_init(worker) -> None:
    """Gunicorn hook: runs in each worker before it serves its first request."""
    hide_server_header()


# --- Settings (gunicorn reads the module's names that match its settings).
logger_class = RedactingLogger
# Paths only, never query strings: an admin search can carry a client's name (要配慮個人情報).
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss'
# The heartbeat file on tmpfs: a worker writing to a slow disk would be killed as stuck.
worker_tmp_dir = "/dev/shm"
# No control socket: its default place is under $HOME, which the app user cannot write.
control_socket_disable = True
