"""Several app processes on one host: each writes its counters to PROMETHEUS_MULTIPROC_DIR and
one scrape, answered by any process, sums them. Real processes here, not threads: the
counters of two child Python processes are read back through ``operations.metrics.scrape``."""

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from operations import gunicorn_hooks, metrics

ROOT = Path(__file__).resolve().parents[2]
# What one app process does: answer requests (counted as the middleware counts them).
CHILD = """
import django
django.setup()
from operations.metrics import observe_request
for _ in range({count}):
    observe_request(route="core:healthz", method="GET", status=200, seconds=0.02)
observe_request(route="reports:inbox", method="GET", status=503, seconds=1.5)
"""


@dataclass(frozen=True)
class _Worker:
    pid: int


def _run_app_process(folder: Path, count: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
    }
    return subprocess.Popen(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", CHILD.format(count=count)], cwd=ROOT, env=env
    )


def _value(content: bytes, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(content.decode()):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    raise AssertionError(f"{name} {labels} not in the scrape")


@pytest.mark.django_db
def test_one_scrape_sums_the_processes_of_the_host(tmp_path, monkeypatch):
    processes = [_run_app_process(tmp_path, 3), _run_app_process(tmp_path, 4)]
    assert [process.wait(timeout=120) for process in processes] == [0, 0]
    assert len(list(tmp_path.glob("*.db"))) >= 2  # a file per process

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    content = metrics.scrape()
    ok = {"route": "core:healthz", "method": "GET", "status": "2xx"}
    assert _value(content, "samverkan_http_requests_total", **ok) == 7
    down = {"route": "reports:inbox", "method": "GET", "status": "5xx"}
    assert _value(content, "samverkan_http_requests_total", **down) == 2
    assert _value(content, "samverkan_http_request_duration_seconds_count", **down) == 2
    slow = {**down, "le": "1.0"}
    assert _value(content, "samverkan_http_request_duration_seconds_bucket", **slow) == 0
    assert _value(content, "samverkan_database_up") == 1

    # gunicorn's child_exit for an exited worker keeps its counts (they are totals).
    for process in processes:
        gunicorn_hooks.child_exit(None, _Worker(pid=process.pid))
    assert _value(metrics.scrape(), "samverkan_http_requests_total", **ok) == 7


def test_the_hooks_import_before_django_is_set_up():
    # As gunicorn imports its configuration: a fresh interpreter, no settings, no apps.
    env = {"PATH": os.environ.get("PATH", "")}
    code = "import operations.gunicorn_hooks as hooks; print(hooks.child_exit.__name__)"
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "child_exit"


def test_without_the_folder_the_hook_does_nothing(monkeypatch, tmp_path):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    gunicorn_hooks.child_exit(None, _Worker(pid=os.getpid()))
    assert metrics.multiprocess_dir() == ""
    assert not list(tmp_path.iterdir())
