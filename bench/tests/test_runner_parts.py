"""The runner's parts that need no stack: arguments, the endpoint list, the verdicts and the
files, and wrk's Lua script against a small local server. (The whole runner runs in CI:
``bench/run --profile leksand --smoke --strict``, a step of .ci/run.)"""

import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench import load, report
from bench.endpoints import REQUIRED, candidates
from bench.runner import parse_arguments
from tests.tools import skip_unless_ci

MANIFEST = {
    "password": "x",
    "users": {"intake": "i", "teacher": "t", "coordinator": "c"},
    "samples": {"report_open": ["a", "b"], "sip": []},
}


def test_smoke_arguments_are_short() -> None:
    smoke = parse_arguments(["--profile", "leksand", "--smoke"])
    assert (smoke.duration, smoke.reps, smoke.warmup) == (2, 1, 0)
    assert smoke.t11 == [30, 90]
    full = parse_arguments(["--profile", "national", "--t11", "0"])
    assert (full.duration, full.reps, full.t11) == (10, 3, [])


def test_candidates_cover_every_kind_and_mark_what_is_required() -> None:
    found = candidates(MANIFEST)
    kinds = {endpoint.kind for endpoint in found}
    assert {"list", "detail", "write", "dashboard", "export", "page"} <= kinds
    detail = next(e for e in found if e.name == "report page (intake)")
    assert detail.paths == ["/anmalan/intake/a/", "/anmalan/intake/b/"]
    assert detail.required
    sip = next(e for e in found if e.name == "SIP page")
    assert sip.paths == []
    assert "no ids" in sip.note
    assert not sip.required
    assert {e.name for e in found if e.required} <= REQUIRED


def _endpoint(name: str, kind: str, rps: float, queries: int = 5, render: float = 1.0) -> dict:
    return {
        "name": name,
        "role": None if kind == "reference" else "intake",
        "kind": kind,
        "wrk": {"rps": float(rps), "p50_ms": 1.0, "p95_ms": 2.0, "p99_ms": 3.0, "errors": 0},
        "sample": {"statuses": [200], "queries": queries, "queries_max": queries,
                   "sql_ms": 1.0, "render_ms": render},
        "note": "",
    }  # fmt: skip


def test_verdicts_and_files(tmp_path: Path) -> None:
    results: dict[str, Any] = {
        "profile": "leksand",
        "seed": 1,
        "smoke": False,
        "started_at": "2026-12-06T00:00:00+00:00",
        "settings": {},
        "machine": report.machine_facts(),
        "endpoints": [
            _endpoint("R_hello", "reference", 1000),
            _endpoint("R_tpl", "reference", 500, queries=0, render=2.0),
            _endpoint("intake inbox, page 1", "list", 50, queries=6, render=2.5),
            _endpoint("intake inbox, closed, page 1", "list", 200),
            _endpoint("intake inbox, closed, page 400", "list", 100),
            _endpoint("report page (intake)", "detail", 200, queries=13),
        ],
        "left_out": [{"name": "my reports", "role": "teacher", "required": True, "note": "404"}],
    }
    written = report.write(results, tmp_path)
    data = json.loads(written.with_suffix(".json").read_text())
    verdicts = {row["target"]: row for row in data["targets"]}
    assert verdicts["T1"]["verdict"] == "not met"  # 50 / 1000 < 0.10
    assert "intake inbox, page 1 0.050" in verdicts["T1"]["measured"]
    assert verdicts["T2"]["verdict"] == "met"  # the detail at 0.20; no write measured
    assert "write: not measured" in verdicts["T2"]["measured"]
    assert verdicts["T6"]["verdict"] == "not met"  # page 400 at half page 1's rate
    assert verdicts["T7"]["verdict"] == "not met"  # the detail's 13 queries
    assert verdicts["T8"]["verdict"] == "met"  # 2.5 / 2.0 ms
    for target in ("T4", "T5", "T9", "T10", "T11", "T12"):
        assert verdicts[target]["verdict"] == "not measured"
    assert data["failures"] == ["teacher: my reports: 404"]
    text = written.read_text()
    assert "| intake | intake inbox, page 1 | list | 50.0 | 0.050 |" in text
    assert "## Failures of the run" in text


class _Handler(BaseHTTPRequestHandler):
    seen: list[tuple[str, str, str]] = []

    def do_GET(self) -> None:
        _Handler.seen.append(
            (self.path, self.headers["X-Forwarded-Proto"], self.headers.get("Cookie", ""))
        )
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: Any) -> None:
        pass


def test_wrk_session_script_cycles_the_paths_with_the_cookie() -> None:
    if not shutil.which("wrk"):
        skip_unless_ci("wrk is not installed (apt-get install wrk)")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        env = {"BENCH_PATHS": "/a/\n/b/", "BENCH_COOKIE": "sessionid=s"}
        run = load.wrk(url, "session.lua", 1, env, threads=1, connections=2)
    finally:
        server.shutdown()
    assert run.requests > 0
    assert run.rps > 0
    assert run.errors == 0
    assert run.p50_ms <= run.p99_ms
    assert {path for path, _, _ in _Handler.seen} == {"/a/", "/b/"}
    assert {(proto, cookie) for _, proto, cookie in _Handler.seen} == {("https", "sessionid=s")}
