"""The results of a run: the machine's facts, the T1–T12 verdicts, JSON and Markdown files.

A target no run measured is "not measured", never guessed; a target defined on national data
measured on another profile says so.
"""

import datetime
import json
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

from bench.endpoints import KIND_TARGETS, QUERY_LIMITS

ROOT = Path(__file__).resolve().parent.parent
NOT_MEASURED = "not measured"


def _version(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)  # noqa: S603
    except OSError:
        return "missing"
    return (
        (done.stdout or done.stderr).strip().splitlines()[0] if (done.stdout or done.stderr) else ""
    )


def machine_facts() -> dict[str, Any]:
    cpu = ""
    with_cpu = Path("/proc/cpuinfo")
    if with_cpu.exists():
        for line in with_cpu.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        memory = meminfo.read_text().splitlines()[0].split(":", 1)[1].strip()
    import django
    import gunicorn

    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "load_average_at_start": os.getloadavg(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "wrk": _version(["wrk", "-v"]),
        "locust": _version([str(ROOT / ".venv" / "bin" / "locust"), "--version"]),
        "commit": _version(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]),
    }


# --- the verdicts ---------------------------------------------------------------------------


def _rps(results: dict[str, Any], name: str) -> float | None:
    for endpoint in results.get("endpoints", []):
        if endpoint["name"] == name and "wrk" in endpoint:
            return float(endpoint["wrk"]["rps"])
    return None


def _render(results: dict[str, Any], name: str) -> float | None:
    for endpoint in results.get("endpoints", []):
        if endpoint["name"] == name:
            return endpoint.get("sample", {}).get("render_ms")
    return None


def _row(target: str, measured: str, goal: str, met: bool | None, note: str = "") -> dict:
    verdict = NOT_MEASURED if met is None else ("met" if met else "not met")
    return {"target": target, "measured": measured, "goal": goal, "verdict": verdict, "note": note}


def annotate(results: dict[str, Any]) -> None:
    """Each endpoint's ratios to its reference."""
    hello = _rps(results, "R_hello")
    tpl_render = _render(results, "R_tpl")
    for endpoint in results.get("endpoints", []):
        rps = endpoint.get("wrk", {}).get("rps")
        endpoint["ratio_hello"] = rps / hello if rps is not None and hello else None
        render = endpoint.get("sample", {}).get("render_ms")
        endpoint["render_ratio_tpl"] = (
            render / tpl_render if render is not None and tpl_render else None
        )


def _worst(results: dict[str, Any], kind: str) -> tuple[dict[str, Any] | None, int]:
    rows = [
        e
        for e in results.get("endpoints", [])
        if e["kind"] == kind and e.get("ratio_hello") is not None
    ]
    worst = min(rows, key=lambda e: e["ratio_hello"]) if rows else None
    return worst, len(rows)


def _ratio_target(results: dict[str, Any], target: str, kinds: list[str]) -> dict:
    parts, verdicts = [], []
    for kind in kinds:
        worst, count = _worst(results, kind)
        floor = KIND_TARGETS[kind][1]
        if worst is None:
            parts.append(f"{kind}: {NOT_MEASURED}")
            continue
        parts.append(f"worst {kind} of {count}: {worst['name']} {worst['ratio_hello']:.3f}")
        verdicts.append(worst["ratio_hello"] >= floor)
    goal = "; ".join(f"{kind} ≥ {KIND_TARGETS[kind][1]:.2f} × R_hello" for kind in kinds)
    met = all(verdicts) if verdicts else None
    return _row(target, "; ".join(parts), goal, met)


def _t4(results: dict[str, Any]) -> dict:
    mix = results.get("mix") or {}
    hello = _rps(results, "R_hello")
    saturation = (mix.get("saturation") or {}).get("rps")
    if not saturation or not hello:
        return _row("T4", NOT_MEASURED, "mix ≥ 0.08 × R_hello; p99 ≤ 250 ms at 70 %", None)
    ratio = saturation / hello
    locust = mix.get("locust")
    measured = f"saturation {saturation:.1f} req/s = {ratio:.3f} × R_hello"
    met: bool | None = ratio >= 0.08
    if locust and locust.get("p99_ms") is not None:
        measured += (
            f"; locust at {locust['target_rps']:.1f} req/s (got {locust['rps']:.1f}): "
            f"p99 {locust['p99_ms']:.0f} ms, {locust['failures']} failures"
        )
        met = bool(met) and locust["p99_ms"] <= 250
    else:
        measured += "; p99 at 70 %: not measured"
        met = None
    return _row(
        "T4",
        measured,
        "mix ≥ 0.08 × R_hello; p99 ≤ 250 ms at 70 %",
        met,
        "; ".join(mix.get("notes", [])),
    )


def _t5(results: dict[str, Any], out: Path) -> dict:
    goal = "per-municipality pages on national ≤ 1.25 × their time on Leksand (as × R_hello)"
    if results["profile"] != "national":
        return _row("T5", NOT_MEASURED, goal, None, "needs a national run")
    leksand = sorted(out.glob("leksand-*.json"))
    if not leksand:
        return _row("T5", NOT_MEASURED, goal, None, f"no leksand-*.json in {out}")
    earlier = json.loads(leksand[-1].read_text())
    annotate(earlier)
    before = {(e["role"], e["name"]): e.get("ratio_hello") for e in earlier.get("endpoints", [])}
    worst: tuple[float, str] | None = None
    for endpoint in results.get("endpoints", []):
        if endpoint["kind"] == "reference" or endpoint.get("ratio_hello") is None:
            continue
        small = before.get((endpoint["role"], endpoint["name"]))
        if small:
            # Time relative to R_hello is the inverse of the ratio.
            slower = small / endpoint["ratio_hello"]
            if worst is None or slower > worst[0]:
                worst = (slower, endpoint["name"])
    if worst is None:
        return _row("T5", NOT_MEASURED, goal, None, "no endpoint in both runs")
    return _row(
        "T5", f"worst {worst[1]}: {worst[0]:.2f} ×", goal, worst[0] <= 1.25, leksand[-1].name
    )


def _t6(results: dict[str, Any]) -> dict:
    goal = "page 400 ≤ 1.5 × page 1 (time per request)"
    first = _rps(results, "intake inbox, closed, page 1")
    deep = next(
        (
            e
            for e in results.get("endpoints", [])
            if e["name"].startswith("intake inbox, closed, page ")
            and e["name"] != "intake inbox, closed, page 1"
            and "wrk" in e
        ),
        None,
    )
    if not first or deep is None:
        return _row("T6", NOT_MEASURED, goal, None, "the closed list has no second page")
    ratio = first / deep["wrk"]["rps"]
    return _row(
        "T6",
        f"page {deep.get('page')}: {ratio:.2f} × page 1",
        goal,
        ratio <= 1.5,
        deep.get("note", ""),
    )


def _t7(results: dict[str, Any]) -> dict:
    parts, verdicts = [], []
    for kind, limit in QUERY_LIMITS.items():
        rows = [
            e
            for e in results.get("endpoints", [])
            if e["kind"] == kind and e.get("sample", {}).get("queries_max") is not None
        ]
        if not rows:
            parts.append(f"{kind}: {NOT_MEASURED}")
            continue
        worst = max(rows, key=lambda e: e["sample"]["queries_max"])
        parts.append(f"{kind} max {worst['sample']['queries_max']} ({worst['name']})")
        verdicts.append(worst["sample"]["queries_max"] <= limit)
    return _row(
        "T7",
        "; ".join(parts),
        "lists ≤ 8, details ≤ 12, dashboards ≤ 4 queries",
        all(verdicts) if verdicts else None,
        "equal at 25 and 100 rows: not measured here (the query-count tests)",
    )


def _t8(results: dict[str, Any]) -> dict:
    rows = [
        e
        for e in results.get("endpoints", [])
        if e["kind"] == "list" and e.get("render_ratio_tpl") is not None
    ]
    goal = "a list's template render ≤ 1.5 × R_tpl's"
    if not rows:
        return _row("T8", NOT_MEASURED, goal, None)
    worst = max(rows, key=lambda e: e["render_ratio_tpl"])
    return _row(
        "T8",
        f"worst {worst['name']}: {worst['render_ratio_tpl']:.1f} × "
        f"({worst['sample']['render_ms']:.1f} ms)",
        goal,
        worst["render_ratio_tpl"] <= 1.5,
    )


def _t9(results: dict[str, Any]) -> dict:
    goal = "20-page board report PDF ≤ 1.5 × R_pdf"
    found = results.get("background") or {}
    if "r_pdf" not in found:
        return _row("T9", NOT_MEASURED, goal, None, found.get("error", ""))
    ratio = found["board_pdf"]["seconds"] / found["r_pdf"]["seconds"]
    return _row(
        "T9",
        f"{found['board_pdf']['seconds']:.2f} s ({found['board_pdf']['pages']} pages) = "
        f"{ratio:.2f} × R_pdf {found['r_pdf']['seconds']:.2f} s",
        goal,
        ratio <= 1.5,
        found["board_pdf"].get("source", ""),
    )


def _t10(results: dict[str, Any]) -> dict:
    goal = "refresh after a day ≤ 5 s; full rebuild ≤ 120 s (national)"
    found = results.get("background") or {}
    if "rollup_refresh" not in found:
        return _row("T10", NOT_MEASURED, goal, None)
    refresh, rebuild = found["rollup_refresh"], found["rollup_rebuild"]
    note = "" if results["profile"] == "national" else f"on {results['profile']} data"
    note += "; the refresh recomputes what is marked now, not a simulated day of activity"
    return _row(
        "T10",
        f"refresh {refresh['seconds']:.2f} s ({refresh['months']} months); "
        f"rebuild {rebuild['seconds']:.2f} s ({rebuild['months']} months)",
        goal,
        refresh["seconds"] <= 5 and rebuild["seconds"] <= 120,
        note,
    )


def _t11(results: dict[str, Any]) -> dict:
    goal = "worker memory grows ≤ 5 % between 10k and 50k requests"
    found = results.get("memory")
    if not found or found.get("growth") is None:
        return _row("T11", NOT_MEASURED, goal, None)
    first, last = found["readings"][0], found["readings"][-1]
    return _row(
        "T11",
        f"{sum(first['rss_kb']) / 1024:.0f} MB after {first['requests']} → "
        f"{sum(last['rss_kb']) / 1024:.0f} MB after {last['requests']} ({found['growth']:+.1%})",
        goal,
        found["growth"] <= 0.05,
        "" if first["requests"] >= 10000 else "fewer requests than the target's 10k/50k",
    )


def _t12(results: dict[str, Any]) -> dict:
    goal = "2 workers ≥ 1.7 × 1 worker"
    found = results.get("scale_out")
    if not found or found.get("ratio") is None:
        return _row("T12", NOT_MEASURED, goal, None)
    return _row(
        "T12",
        f"{found['workers_1']['rps']:.1f} → {found['workers_2']['rps']:.1f} req/s = "
        f"{found['ratio']:.2f} ×",
        goal,
        found["ratio"] >= 1.7,
        found["endpoint"],
    )


def targets(results: dict[str, Any], out: Path) -> list[dict]:
    national = "" if results["profile"] == "national" else f"on {results['profile']} data"
    t3 = _ratio_target(results, "T3", ["dashboard"])
    t3["note"] = national
    return [
        _ratio_target(results, "T1", ["list"]),
        _ratio_target(results, "T2", ["detail", "write"]),
        t3,
        _t4(results),
        _t5(results, out),
        _t6(results),
        _t7(results),
        _t8(results),
        _t9(results),
        _t10(results),
        _t11(results),
        _t12(results),
    ]


# --- the files ------------------------------------------------------------------------------


def _num(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def markdown(results: dict[str, Any]) -> str:
    machine = results["machine"]
    manifest = results.get("manifest") or {}
    lines = [
        f"# Benchmark: {results['profile']}, seed {results['seed']}"
        + (" (smoke run: figures mean nothing)" if results["smoke"] else ""),
        "",
        f"- Started {results['started_at']}, took {results.get('seconds', '?')} s; "
        f"commit {machine.get('commit')}",
        f"- Machine: {machine.get('cores')} cores ({machine.get('cpu')}), {machine.get('memory')}, "
        "load average at start "
        + ", ".join(f"{x:.2f}" for x in machine.get("load_average_at_start", [])),
        f"- Python {machine.get('python')}, Django {machine.get('django')}, gunicorn "
        f"{machine.get('gunicorn')}, PostgreSQL {machine.get('postgresql', '?')}, "
        f"{machine.get('wrk')}, {machine.get('locust')}",
        f"- Settings: {json.dumps(results['settings'], ensure_ascii=False)}",
        f"- Data: {manifest.get('profile')} seed {manifest.get('seed')}, "
        f"{manifest.get('content_hash')}",
        "",
        "## Targets",
        "",
        "| # | Measured | Target | Verdict | Note |",
        "|---|---|---|---|---|",
    ]
    for row in results["targets"]:
        lines.append(
            f"| {row['target']} | {row['measured']} | {row['goal']} | {row['verdict']} "
            f"| {row['note']} |"
        )
    lines += [
        "",
        "## Endpoints",
        "",
        "req/s: median of the repetitions (the write: whole filings of two POSTs); × R_hello: "
        "its req/s over R_hello's; render × R_tpl: template time over R_tpl's; queries and SQL "
        "ms per request from the bench headers (median of the samples).",
        "",
        "| Role | Endpoint | Kind | req/s | × R_hello | p50 ms | p95 ms | p99 ms | queries "
        "| SQL ms | render ms | render × R_tpl | status | errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for e in results.get("endpoints", []):
        w = e.get("wrk", {})
        s = e.get("sample", {})
        status = ",".join(str(x) for x in s.get("statuses", [])) or (
            f"{e.get('filed', 0)} filed, {e.get('refused', 0)} refused"
            if e["kind"] == "write"
            else ""
        )
        lines.append(
            f"| {e['role'] or '–'} | {e['name']} | {e['kind']} | {_num(w.get('rps'))} | "
            f"{_num(e.get('ratio_hello'), 3)} | {_num(w.get('p50_ms'))} | "
            f"{_num(w.get('p95_ms'))} | "
            f"{_num(w.get('p99_ms'))} | {_num(s.get('queries'))} | {_num(s.get('sql_ms'), 2)} | "
            f"{_num(s.get('render_ms'), 2)} | {_num(e.get('render_ratio_tpl'), 2)} | {status} | "
            f"{_num(w.get('errors'))}{' — ' + e['note'] if e.get('note') else ''} |"
        )
    background = results.get("background") or {}
    if "r_pdf" in background:
        lines += [
            "",
            "## Background work (in a process, not over HTTP)",
            "",
            "| Work | seconds | pages | × R_pdf |",
            "|---|---|---|---|",
            f"| R_pdf | {background['r_pdf']['seconds']:.2f} | "
            f"{background['r_pdf']['pages']} | 1 |",
            f"| board report PDF ({background['board_pdf'].get('source')}) | "
            f"{background['board_pdf']['seconds']:.2f} | {background['board_pdf']['pages']} | "
            f"{background['board_pdf']['seconds'] / background['r_pdf']['seconds']:.2f} |",
            f"| rollup refresh | {background['rollup_refresh']['seconds']:.2f} | | |",
            f"| rollup rebuild | {background['rollup_rebuild']['seconds']:.2f} | | |",
        ]
    if results.get("failures"):
        lines += ["", "## Failures of the run (not of targets)", ""]
        lines += [f"- {failure}" for failure in results["failures"]]
    if results.get("left_out"):
        lines += ["", "## Not measured", ""]
        lines += [f"- {e['role']}: {e['name']} — {e['note']}" for e in results["left_out"]]
    if results.get("top_statements"):
        lines += [
            "",
            "## Top statements (pg_stat_statements, during the endpoint runs)",
            "",
            "| calls | total ms | mean ms | rows | statement |",
            "|---|---|---|---|---|",
        ]
        for row in results["top_statements"]:
            query = " ".join(row["query"].split()).replace("|", "\\|")[:160]
            lines.append(
                f"| {row['calls']} | {row['total_ms']} | {row['mean_ms']} | {row['rows']} "
                f"| `{query}` |"
            )
    return "\n".join(lines) + "\n"


def failures(results: dict[str, Any]) -> list[str]:
    """What makes ``bench/run --strict`` fail: the run itself broke, not a target."""
    found = []
    for endpoint in results.get("left_out", []):
        if endpoint.get("required"):
            found.append(f"{endpoint['role']}: {endpoint['name']}: {endpoint['note']}")
    for endpoint in results.get("endpoints", []):
        name = f"{endpoint['role']}: {endpoint['name']}"
        if endpoint.get("failed"):
            found.append(f"{name}: {endpoint['note']}")
        elif endpoint.get("wrk", {}).get("status_errors"):
            found.append(f"{name}: {endpoint['wrk']['status_errors']} answers not 2xx/3xx")
        if endpoint["kind"] == "write" and not endpoint.get("statuses_ok"):
            found.append(
                f"{name}: {endpoint.get('filed')} filed, {endpoint.get('refused')} refused"
            )
    for part in ("mix", "memory", "scale_out", "background"):
        if (results.get(part) or {}).get("error"):
            found.append(f"{part}: {results[part]['error']}")
    return found


def write(results: dict[str, Any], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    annotate(results)
    results["targets"] = targets(results, out)
    results["failures"] = failures(results)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d-%H%M")
    base = out / f"{results['profile']}{'-smoke' if results['smoke'] else ''}-{stamp}"
    base.with_suffix(".json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False, default=str)
    )
    path = base.with_suffix(".md")
    path.write_text(markdown(results))
    return path
