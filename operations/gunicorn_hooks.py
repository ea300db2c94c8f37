"""gunicorn server hooks the multiprocess metrics need (imported by deploy/gunicorn.conf.py).

Each worker process writes its request counters to files in ``PROMETHEUS_MULTIPROC_DIR``;
a scrape sums the folder. When a worker exits, its counters must stay (they are totals that
Prometheus expects never to go down), but its live gauges must go: ``mark_process_dead`` does
exactly that. The folder itself is emptied when the host starts (a tmpfs such as /run), never
by a starting gunicorn: a second gunicorn on the same host shares it, and emptying it would
lose the first one's counts. See docs/observability.md.
"""

import os
from typing import Any

from prometheus_client import multiprocess

# gunicorn reads its configuration, and so this module, before Django is set up: nothing of
# Django or of the apps may be imported here.


def child_exit(server: Any, worker: Any) -> None:  # noqa: ARG001 - gunicorn's signature
    """gunicorn ``child_exit``: forget the live gauges of a worker that has exited."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
