"""Gunicorn's settings for Samverkan (``gunicorn -c deploy/gunicorn.conf.py``).

Every value can be changed through the environment, so the same file serves the container,
the systemd units and ``deploy/local-stack``. See docs/operations.md.

The access log writes no query strings, no referrers, no headers and no cookies, and a survey
answer link's token (``/svar/<token>/``) is replaced with ``…``: whoever reads the log must
not be able to answer a survey as someone else, and search words (which may be a name or a
personnummer) travel in query strings.
"""

import multiprocessing
import os
import sys
from pathlib import Path
from typing import Any

from gunicorn.glogging import Logger

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from operations import gunicorn_hooks  # noqa: E402  (the repository is on the path only now)
from surveys.logging import redact  # noqa: E402


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


chdir = str(ROOT)
wsgi_app = "config.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
# Several gunicorn processes (or a restarted one next to the old) may listen on one address:
# the kernel spreads the connections over them (SO_REUSEPORT).
reuse_port = True
# Django's views are synchronous and mostly wait for PostgreSQL: the usual (2 × cores) + 1
# processes keep the cores busy while some wait. Each process holds at most one database
# connection (per thread), so workers × threads × machines must stay under PostgreSQL's
# max_connections.
workers = _int("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1)
threads = _int("GUNICORN_THREADS", 1)
# A PDF is made by the background worker, never in a request: 30 s is a generous limit.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5
# Recycle processes now and then, so a slow leak never grows; the jitter keeps them from all
# restarting at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = 200
# The TLS proxy in front sets X-Forwarded-Proto; only a proxy on these addresses is believed.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(t)s %(p)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms %({x-request-id}o)s'
proc_name = os.environ.get("GUNICORN_PROC_NAME", "samverkan-web")
# gunicorn's control socket defaults to one path per user, which two processes on one machine
# would fight over; systemd and signals manage the processes, so it is off unless a path is
# given (one per process).
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]


class RedactingLogger(Logger):
    """Gunicorn's logger, with only harmless atoms in the access log (see the docstring)."""

    SAFE_RESPONSE_HEADERS = frozenset({"{x-request-id}o", "{content-type}o"})

    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        path = redact(environ.get("PATH_INFO", ""))
        safe = {
            key: value
            for key, value in atoms.items()
            if not key.startswith("{") or key in self.SAFE_RESPONSE_HEADERS
        }
        safe.update(
            {
                "r": f"{atoms['m']} {path} {atoms['H']}",
                "U": path,
                "q": "",
                "f": "-",
                "a": "-",
                "u": "-",
            }
        )
        return safe


logger_class = RedactingLogger


# A worker process ended: its live gauges go from the shared metrics folder, its counters stay
# (docs/observability.md). The hook imports nothing of Django: the master has no apps loaded.
child_exit = gunicorn_hooks.child_exit
