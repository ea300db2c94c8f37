"""Load generators: wrk for saturation (one endpoint at a time), locust for the role mix."""

import csv
import json
import os
import shutil
import statistics
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WRK_THREADS = 2
WRK_CONNECTIONS = 8


@dataclass
class WrkRun:
    """One wrk run's figures (wrk's done() callback prints them as JSON)."""

    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    extra: dict[str, Any] = field(default_factory=dict)


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is not installed (Debian: apt-get install wrk)")
    return found


def wrk(
    url: str,
    script: str,
    seconds: float,
    env: dict[str, str],
    *,
    threads: int = WRK_THREADS,
    connections: int = WRK_CONNECTIONS,
) -> WrkRun:
    command = [
        wrk_binary(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(BENCH / "wrk" / script),
        url,
    ]
    done = subprocess.run(  # noqa: S603 - wrk with our own arguments
        command,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("BENCH_JSON ")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout[-2000:]}{done.stderr}")
    data = json.loads(lines[-1].removeprefix("BENCH_JSON "))
    duration = data["duration_us"] / 1e6
    errors = sum(
        data[key]
        for key in ("status_errors", "connect_errors", "read_errors", "write_errors", "timeouts")
    )
    known = {"requests", "duration_us", "p50_us", "p95_us", "p99_us"}
    return WrkRun(
        requests=data["requests"],
        seconds=duration,
        rps=data["requests"] / duration if duration else 0.0,
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=errors,
        extra={key: value for key, value in data.items() if key not in known},
    )


def medians(runs: list[WrkRun], *, per_request: float = 1.0) -> dict[str, Any]:
    """The median of each figure over the repetitions; ``per_request`` divides the rate (the
    write's wrk requests are two per filing)."""
    return {
        "rps": statistics.median(run.rps for run in runs) / per_request,
        "p50_ms": statistics.median(run.p50_ms for run in runs),
        "p95_ms": statistics.median(run.p95_ms for run in runs),
        "p99_ms": statistics.median(run.p99_ms for run in runs),
        "requests": sum(run.requests for run in runs),
        "errors": sum(run.errors for run in runs),
        "status_errors": sum(int(run.extra.get("status_errors", 0)) for run in runs),
        "reps": [run.rps / per_request for run in runs],
    }


def _number(text: str) -> float | None:
    """locust writes "N/A" for a percentile of no requests."""
    try:
        return float(text)
    except ValueError:
        return None


# --- locust ---------------------------------------------------------------------------------


def locust(url: str, mix: dict[str, Any], rate: float, seconds: float) -> dict[str, Any]:
    """The role mix at a constant total ``rate`` (req/s), headless; percentiles of all."""
    binary = ROOT / ".venv" / "bin" / "locust"
    work = Path(tempfile.mkdtemp(prefix="samverkan-locust-"))
    try:
        mix_file = work / "mix.json"
        mix_file.write_text(json.dumps({**mix, "rate": rate}))
        users = sum(role["users"] for role in mix["roles"].values())
        command = [
            str(binary),
            "-f",
            str(BENCH / "locustfile.py"),
            "--headless",
            "--host",
            url,
            "-u",
            str(users),
            "-r",
            str(users),
            "-t",
            f"{max(1, round(seconds))}s",
            "--csv",
            str(work / "mix"),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ]
        done = subprocess.run(  # noqa: S603 - our own locust and arguments
            command,
            env={**os.environ, "BENCH_MIX_FILE": str(mix_file)},
            capture_output=True,
            text=True,
            timeout=seconds + 120,
            check=False,
        )
        stats = work / "mix_stats.csv"
        if not stats.exists():
            raise RuntimeError(f"locust wrote no statistics: {done.stderr[-2000:]}")
        with stats.open() as handle:
            rows = {row["Name"]: row for row in csv.DictReader(handle)}
        total = rows["Aggregated"]
        return {
            "target_rps": rate,
            "rps": _number(total["Requests/s"]),
            "requests": int(total["Request Count"]),
            "failures": int(total["Failure Count"]),
            "p50_ms": _number(total["50%"]),
            "p95_ms": _number(total["95%"]),
            "p99_ms": _number(total["99%"]),
            "users": users,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
