"""``bench/run``: the benchmark of PERFORMANCE.md on this machine (see bench/README.md).

1. a private PostgreSQL cluster with pg_stat_statements (deploy/pg_cluster.py);
2. the production stack against it (deploy/local_stack.py: production settings, DEBUG off, one
   gunicorn process with 2 workers, no task workers, BENCH_REFERENCES=1, no worker recycling);
3. ``manage.py generate --profile P --seed N --manifest FILE`` fills the database;
4. logs in as each role, probes every endpoint, samples its SQL figures, runs wrk (warm-up,
   repetitions, medians) on each, the references in the same run;
5. the role mix: its saturation with wrk, then locust at 70 % of it (T4); 1 vs 2 gunicorn
   workers (T12); worker memory (T11); R_pdf and the board report's PDF (T9); the rollups
   (T10); the top statements of pg_stat_statements;
6. writes ``<out>/<profile>-<date>.json`` and ``.md``; always tears everything down.
"""

import argparse
import contextlib
import datetime
import fnmatch
import json
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import client, load, report  # noqa: E402
from bench.endpoints import MIX, REFERENCES, Endpoint, candidates  # noqa: E402
from deploy.http_client import Browser  # noqa: E402
from deploy.local_stack import Stack  # noqa: E402
from deploy.pg_cluster import Cluster  # noqa: E402

PROFILES = ("leksand", "goteborg", "national")
# Minutes to fill the database, for the estimate (PERFORMANCE.md's generator targets).
GENERATE_MINUTES = {"leksand": 1, "goteborg": 8, "national": 35}
DEEP_PAGES = 400
DEEP_PAGES_SMOKE = 5
T12_ENDPOINT = "intake inbox, page 1"
T11_ENDPOINT = "intake inbox, page 1"


def log(message: str) -> None:
    stamp = datetime.datetime.now().strftime("%H:%M:%S")  # noqa: DTZ005 - a local clock for the eye
    print(f"[{stamp}] {message}", flush=True)


# --- the database ---------------------------------------------------------------------------


def fill(stack: Stack, arguments: argparse.Namespace, manifest_path: Path) -> dict[str, Any]:
    """The generator's data and its manifest."""
    started = time.monotonic()
    stack.manage(
        "generate",
        "--profile",
        arguments.profile,
        "--seed",
        str(arguments.seed),
        "--manifest",
        str(manifest_path),
        owner=True,
        timeout=4 * 3600,
    )
    manifest = json.loads(manifest_path.read_text())
    manifest.setdefault("seconds", time.monotonic() - started)
    # Tables or partitions the generator made after the migrations: the app role's grants.
    stack.manage("grant_app_role", "--role", stack.state.app, owner=True)
    return manifest


def sql(stack: Stack, query: str) -> list[tuple]:
    with stack.postgres.connect(stack.state.database) as connection:
        cursor = connection.execute(query)
        return list(cursor.fetchall()) if cursor.description else []


def top_statements(stack: Stack, limit: int = 15) -> list[dict[str, Any]]:
    query = (
        "SELECT calls, total_exec_time, mean_exec_time, rows, left(query, 300) "
        "FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database "
        "WHERE datname = current_database()) ORDER BY total_exec_time DESC LIMIT "
    )
    rows = sql(stack, query + str(int(limit)))
    return [
        {"calls": c, "total_ms": round(t, 1), "mean_ms": round(m, 3), "rows": r, "query": q}
        for c, t, m, r, q in rows
    ]


# --- logging in and probing -----------------------------------------------------------------


def sessions(stack: Stack, manifest: dict[str, Any]) -> dict[str, Browser]:
    secrets = manifest.get("totp_secrets") or {}
    found = {}
    for role, username in manifest["users"].items():
        found[role] = client.log_in(
            stack.url, username, manifest["password"], secrets.get(username)
        )
    return found


def probe(
    endpoints: list[Endpoint], browsers: dict[str, Browser], url: str, samples: int
) -> tuple[list[Endpoint], list[Endpoint]]:
    """Sample each endpoint's SQL figures; those answering 200 are measured, the rest kept
    aside with their statuses."""
    kept, left = [], []
    for endpoint in endpoints:
        if not endpoint.paths:
            left.append(endpoint)
            continue
        browser = browsers.get(endpoint.role or "", Browser(url))
        if endpoint.kind == "write":
            kept.append(endpoint)
            continue
        seen = client.sample(browser, endpoint.paths, max(samples, 1))
        endpoint.result["sample"] = seen.summary()
        if set(seen.statuses) == {200}:
            kept.append(endpoint)
        else:
            endpoint.note = f"answered {sorted(set(seen.statuses))}, not measured"
            left.append(endpoint)
    return kept, left


def deep_list(browsers: dict[str, Browser], pages: int) -> Endpoint | None:
    browser = browsers.get("intake")
    if browser is None:
        return None
    path, number = client.deep_page(browser, "/anmalan/intake/?status=closed", pages)
    endpoint = Endpoint(f"intake inbox, closed, page {number}", "list", "intake", [path])
    endpoint.result["page"] = number
    if number < pages:
        endpoint.note = f"the data ends at page {number} (asked for {pages})"
    return endpoint


# --- measuring ------------------------------------------------------------------------------


def wrk_env(endpoint: Endpoint, browsers: dict[str, Browser], stack: Stack) -> dict[str, str]:
    browser = browsers.get(endpoint.role or "")
    env = {
        "BENCH_PATHS": "\n".join(endpoint.paths),
        "BENCH_COOKIE": client.cookie_header(browser) if browser else "",
    }
    if endpoint.kind == "write" and browser is not None:
        new_body, submit_body, sampled = client.filing_bodies(browser)
        endpoint.result["sample"] = sampled
        env |= {
            "BENCH_NEW_BODY": new_body,
            "BENCH_SUBMIT_BODY": submit_body,
            "BENCH_ORIGIN": f"https://127.0.0.1:{stack.state.port}",
        }
    return env


def measure(
    endpoint: Endpoint,
    env: dict[str, str],
    stack: Stack,
    arguments: argparse.Namespace,
) -> None:
    if arguments.warmup:
        load.wrk(stack.url, endpoint.script, arguments.warmup, env)
    runs = [
        load.wrk(stack.url, endpoint.script, arguments.duration, env) for _ in range(arguments.reps)
    ]
    per_request = 1.0
    if endpoint.kind == "write":
        # Two requests per filing; the rate is whole filings.
        filed = sum(run.extra.get("filed", 0) for run in runs)
        refused = sum(run.extra.get("refused", 0) for run in runs)
        endpoint.result["filed"] = filed
        endpoint.result["refused"] = refused
        endpoint.result["statuses_ok"] = filed > 0 and refused == 0
        per_request = 2.0
    endpoint.result["wrk"] = load.medians(runs, per_request=per_request)
    if not all(run.requests for run in runs):
        endpoint.note = "a run completed no request (too short a run for this page?)"


def measure_all(
    endpoints: list[Endpoint],
    browsers: dict[str, Browser],
    stack: Stack,
    arguments: argparse.Namespace,
) -> None:
    for number, endpoint in enumerate(endpoints, 1):
        log(f"({number}/{len(endpoints)}) {endpoint.key}")
        try:
            measure(endpoint, wrk_env(endpoint, browsers, stack), stack, arguments)
        except Exception as error:
            endpoint.note = f"failed: {error}"[:300]
            endpoint.result["failed"] = True


def role_mix(
    endpoints: list[Endpoint],
    browsers: dict[str, Browser],
    stack: Stack,
    arguments: argparse.Namespace,
) -> dict[str, Any]:
    """The mix's saturation with wrk (a cookie per line, lines in the shares' proportions),
    then locust at 70 % of it for the percentiles (T4)."""
    by_key = {(endpoint.role, endpoint.name): endpoint for endpoint in endpoints}
    roles: dict[str, Any] = {}
    notes = []
    for name, (share, role, names) in MIX.items():
        paths = [
            path
            for endpoint_name in names
            if (endpoint := by_key.get((role, endpoint_name))) is not None
            for path in endpoint.paths[:5]
        ]
        if role is None or not paths or role not in browsers:
            notes.append(f"{name} ({share:.0%}) left out: no endpoints/tokens in the manifest")
            continue
        roles[name] = {
            "share": share,
            "cookie": client.cookie_header(browsers[role]),
            "paths": paths,
        }
    total = sum(role["share"] for role in roles.values())
    for role in roles.values():
        role["share"] = role["share"] / total
        role["users"] = max(1, round(16 * role["share"]))
    lines = []
    for role in roles.values():
        for _ in range(max(1, round(role["share"] * 20))):
            lines += [f"{path}\t{role['cookie']}" for path in role["paths"]]
    result: dict[str, Any] = {"notes": notes, "roles": {k: v["share"] for k, v in roles.items()}}
    env = {"BENCH_PATHS": "\n".join(lines), "BENCH_COOKIE": ""}
    if arguments.warmup:
        load.wrk(stack.url, "session.lua", arguments.warmup, env)
    runs = [
        load.wrk(stack.url, "session.lua", arguments.duration, env) for _ in range(arguments.reps)
    ]
    result["saturation"] = load.medians(runs)
    if arguments.locust_seconds > 0:
        rate = 0.7 * result["saturation"]["rps"]
        result["locust"] = load.locust(stack.url, {"roles": roles}, rate, arguments.locust_seconds)
    else:
        result["locust"] = None
    return result


def worker_rss_kb(stack: Stack) -> list[int]:
    """The resident memory of each gunicorn worker (children of the master) from /proc."""
    found = []
    for name in stack.web_names:
        master = stack.state.pids.get(name)
        if master is None:
            continue
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        for child in children:
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    found.append(int(line.split()[1]))
    return found


def worker_memory(
    endpoint: Endpoint, browsers: dict[str, Browser], stack: Stack, checkpoints: list[int]
) -> dict[str, Any]:
    """T11: the workers' memory after N1 and after N2 requests of one list endpoint."""
    env = wrk_env(endpoint, browsers, stack)
    done = 0
    readings: list[dict[str, Any]] = []
    started = time.monotonic()
    for checkpoint in checkpoints:
        while done < checkpoint:
            done += load.wrk(stack.url, "session.lua", 5, env).requests
        readings.append({"requests": done, "rss_kb": worker_rss_kb(stack)})
    first, last = sum(readings[0]["rss_kb"]), sum(readings[-1]["rss_kb"])
    return {
        "endpoint": endpoint.key,
        "readings": readings,
        "growth": (last - first) / first if first else None,
        "seconds": time.monotonic() - started,
    }


def scale_out(
    endpoint: Endpoint, browsers: dict[str, Browser], stack: Stack, arguments: argparse.Namespace
) -> dict[str, Any]:
    """T12: the same endpoint with 1 and with 2 gunicorn workers (one process)."""
    env = wrk_env(endpoint, browsers, stack)
    found: dict[str, Any] = {"endpoint": endpoint.key}
    for workers in (1, 2):
        for name in stack.web_names:
            stack.stop(name)
        stack.state.web_workers = workers
        for name in stack.web_names:
            stack.start_web(name)
        stack.wait_healthy()
        # The new workers' first requests import and connect: not part of the figure.
        client.sample(browsers[endpoint.role or ""], endpoint.paths, 4 * workers)
        if arguments.warmup:
            load.wrk(stack.url, endpoint.script, arguments.warmup, env)
        runs = [
            load.wrk(stack.url, endpoint.script, arguments.duration, env)
            for _ in range(arguments.reps)
        ]
        found[f"workers_{workers}"] = load.medians(runs)
    one, two = found["workers_1"]["rps"], found["workers_2"]["rps"]
    found["ratio"] = two / one if one else None
    return found


def background(stack: Stack, manifest: dict[str, Any], reps: int) -> dict[str, Any]:
    municipality = manifest.get("municipalities", {}).get("focus_large")
    args = ["bench_background", "--pdf", "--rollups", "--reps", str(reps)]
    if municipality is not None:
        args += ["--municipality", str(municipality)]
    done = stack.manage(*args, owner=True, timeout=3600)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# --- the run --------------------------------------------------------------------------------


def estimate_seconds(arguments: argparse.Namespace, endpoints: int) -> float:
    per_endpoint = arguments.warmup + arguments.reps * arguments.duration + 1
    total = 60 * GENERATE_MINUTES[arguments.profile] + 90  # fill, migrate, collectstatic
    total += (endpoints + 4) * per_endpoint  # endpoints, references, deep page, mix
    total += 2 * per_endpoint + 10  # T12
    total += arguments.locust_seconds + 10
    if arguments.t11:
        total += arguments.t11[-1] / 40  # ~40 req/s of a list page
    return total + 60  # PDFs, rollups, teardown


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/run",
        description=(
            "Benchmark Samverkan on this machine (PERFORMANCE.md, targets T1-T12): a private "
            "PostgreSQL with pg_stat_statements, the production stack (gunicorn, 2 workers), "
            "the generator's data, wrk per endpoint, locust for the role mix. Writes "
            "OUT/PROFILE-DATE.json and .md. See bench/README.md."
        ),
    )
    parser.add_argument("--profile", choices=PROFILES, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=float, default=None, help="seconds per wrk run (10)")
    parser.add_argument("--reps", type=int, default=None, help="repetitions per endpoint (3)")
    parser.add_argument("--warmup", type=float, default=None, help="warm-up seconds (3)")
    parser.add_argument(
        "--smoke", action="store_true", help="~2 s per endpoint, 1 rep, tiny T11/T4"
    )
    parser.add_argument(
        "--only", default=None, help="measure only endpoints matching this glob (several: a|b)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--locust-seconds", type=float, default=None, help="role mix (60)")
    parser.add_argument(
        "--t11",
        default=None,
        help="T11 checkpoints in requests, e.g. 10000,50000 (the default); 0 to skip",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 unless every required endpoint answered and wrk saw no error status (CI)",
    )
    parser.add_argument("--deep-pages", type=int, default=None, help=f"T6 page ({DEEP_PAGES})")
    arguments = parser.parse_args(argv)
    smoke = arguments.smoke
    defaults = {
        "duration": 2 if smoke else 10,
        "reps": 1 if smoke else 3,
        "warmup": 0 if smoke else 3,
        "locust_seconds": 5 if smoke else 60,
        "t11": "30,90" if smoke else "10000,50000",
        "deep_pages": DEEP_PAGES_SMOKE if smoke else DEEP_PAGES,
    }
    for name, value in defaults.items():
        if getattr(arguments, name) is None:
            setattr(arguments, name, value)
    arguments.t11 = [int(n) for n in str(arguments.t11).split(",") if int(n) > 0]
    return arguments


def _on_sigterm(_signal: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def run(arguments: argparse.Namespace) -> Path:
    started = time.monotonic()
    when = datetime.datetime.now(datetime.UTC)
    work = Path(tempfile.mkdtemp(prefix="samverkan-bench-"))
    results: dict[str, Any] = {
        "profile": arguments.profile,
        "seed": arguments.seed,
        "smoke": arguments.smoke,
        "started_at": when.isoformat(timespec="seconds"),
        "settings": {
            "duration": arguments.duration,
            "reps": arguments.reps,
            "warmup": arguments.warmup,
            "wrk": f"-t{load.WRK_THREADS} -c{load.WRK_CONNECTIONS}",
            "locust_seconds": arguments.locust_seconds,
            "gunicorn": "1 process, 2 workers, 1 thread, no recycling (max_requests=0)",
        },
        "machine": report.machine_facts(),
    }
    log(f"estimate: ~{estimate_seconds(arguments, 45) / 60:.0f} min ({arguments.profile})")
    cluster = Cluster.create(
        {
            "shared_preload_libraries": "pg_stat_statements",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "100",
            "shared_buffers": "256MB",
        }
    )
    stack: Stack | None = None
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        cluster.start()
        log(f"private PostgreSQL on 127.0.0.1:{cluster.port} ({cluster.base})")
        stack = Stack(
            directory=work / "stack",
            postgres=cluster.postgres,
            redis_url="redis://127.0.0.1:6379/11",
            web_workers=2,
            web_processes=1,
            task_workers=0,
            extra_env={
                "BENCH_REFERENCES": "1",
                "GUNICORN_MAX_REQUESTS": "0",
                "GUNICORN_ACCESS_LOG": "/dev/null",
            },
        )
        manifest_path = work / "manifest.json"
        holder: dict[str, Any] = {}

        def prepare(ready: Stack) -> None:
            with ready.postgres.connect(ready.state.database) as connection:
                connection.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            log("filling the database")
            holder["manifest"] = fill(ready, arguments, manifest_path)

        log("starting the stack (migrate, fill, collectstatic, gunicorn)")
        stack.up(timers=False, prepare=prepare)
        manifest = holder["manifest"]
        results["manifest"] = {
            key: manifest.get(key)
            for key in ("profile", "seed", "as_of", "content_hash", "seconds", "counts")
        }
        results["machine"]["postgresql"] = sql(stack, "SHOW server_version")[0][0]
        measure_run(stack, manifest, arguments, results)
    finally:
        signal.signal(signal.SIGTERM, previous)
        log("tearing down")
        if stack is not None:
            with contextlib.suppress(Exception):
                stack.down()
        cluster.remove()
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    results["seconds"] = round(time.monotonic() - started, 1)
    return report.write(results, arguments.out)


def measure_run(
    stack: Stack, manifest: dict[str, Any], arguments: argparse.Namespace, results: dict[str, Any]
) -> None:
    browsers = sessions(stack, manifest)
    log(f"logged in: {', '.join(browsers)}")
    endpoints = candidates(manifest)
    deep = deep_list(browsers, arguments.deep_pages)
    if deep is not None:
        endpoints.insert(2, deep)
    if arguments.only:
        # Names hold commas ("intake inbox, page 1"), so several globs are split on "|".
        globs = arguments.only.split("|")
        endpoints = [
            endpoint
            for endpoint in endpoints
            if any(
                fnmatch.fnmatch(endpoint.key, glob) or fnmatch.fnmatch(endpoint.name, glob)
                for glob in globs
            )
        ]
    references = [
        Endpoint(r.name, r.kind, r.role, list(r.paths), required=True) for r in REFERENCES
    ]
    samples = 2 if arguments.smoke else 5
    kept, left = probe(references + endpoints, browsers, stack.url, samples)
    log(f"{len(kept)} endpoints answer; {len(left)} left out")
    sql(stack, "SELECT pg_stat_statements_reset()")
    measure_all(kept, browsers, stack, arguments)
    results["endpoints"] = [endpoint_record(e, measured=True) for e in kept]
    results["left_out"] = [endpoint_record(e, measured=False) for e in left]
    results["top_statements"] = top_statements(stack)
    by_name = {e.name: e for e in kept}
    steps: list[tuple[str, str, Any]] = [
        (
            "mix",
            "role mix (wrk saturation, locust at 70 %)",
            lambda: role_mix(kept, browsers, stack, arguments),
        )
    ]
    if arguments.t11 and T11_ENDPOINT in by_name:
        steps.append(
            (
                "memory",
                f"T11: worker memory over {arguments.t11[-1]} requests",
                lambda: worker_memory(by_name[T11_ENDPOINT], browsers, stack, arguments.t11),
            )
        )
    if T12_ENDPOINT in by_name:
        steps.append(
            (
                "scale_out",
                "T12: 1 and 2 gunicorn workers",
                lambda: scale_out(by_name[T12_ENDPOINT], browsers, stack, arguments),
            )
        )
    steps.append(
        (
            "background",
            "T9/T10: R_pdf, the board report's PDF, the rollups",
            lambda: background(stack, manifest, 1 if arguments.smoke else 3),
        )
    )
    # Each step's failure is recorded (a failure of the run, for --strict); the rest still run.
    for key, title, step in steps:
        log(title)
        try:
            results[key] = step()
        except Exception as error:
            results[key] = {"error": f"{type(error).__name__}: {error}"[:1000]}


def endpoint_record(endpoint: Endpoint, *, measured: bool) -> dict[str, Any]:
    return {
        "name": endpoint.name,
        "role": endpoint.role,
        "kind": endpoint.kind,
        "paths": endpoint.paths[:3] + (["…"] if len(endpoint.paths) > 3 else []),
        "measured": measured,
        "required": endpoint.required,
        "note": endpoint.note,
        **endpoint.result,
    }


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    try:
        written = run(arguments)
    except KeyboardInterrupt:
        log("interrupted; everything was torn down")
        return 130
    log(f"results: {written} (and .json)")
    failures = json.loads(written.with_suffix(".json").read_text()).get("failures", [])
    for failure in failures:
        log(f"FAILED: {failure}")
    return 1 if arguments.strict and failures else 0


if __name__ == "__main__":
    sys.exit(main())
