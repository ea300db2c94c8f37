"""Time the benchmark's background work in this process and print one JSON line.

- ``--pdf``: R_pdf (a fixed 20-page document, ``bench/pdf_reference.html``) and the app's own
  board report PDF (the newest board report of ``--municipality``, or, when it has none, the
  report's content computed now for the current year and not saved), each rendered
  ``--reps`` times through ``core.pdf.render_pdf``; median seconds and page counts (T9).
- ``--rollups``: the follow-up's summary tables: the hourly refresh (``followup_refresh``:
  mark the time-dependent months, recompute the marked ones) and the full rebuild
  (``followup_rebuild``), seconds each (T10).

Used by ``bench/run``; it changes nothing but the summary tables (``--rollups``).
"""

import datetime
import io
import json
import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone, translation

from core.pdf import render_pdf

PARAGRAPH = (
    "Detta avsnitt beskriver hur anmälningar om oro tagits emot och återkopplats under "
    "perioden. Siffrorna är påhittade och ändras aldrig, så att dokumentet blir lika långt "
    "och lika tungt att rendera i varje mätning."
)


def reference_context() -> dict[str, Any]:
    sections = [
        {
            "number": number,
            "rows": [
                {
                    "month": f"2026-{(row % 12) + 1:02d}",
                    "received": 40 + (row * number) % 17,
                    "feedback": 30 + (row * number) % 13,
                    "share": 70 + (row + number) % 30,
                    "comment": "Inga avvikelser." if row % 4 else "Sen återkoppling i två fall.",
                }
                for row in range(18)
            ],
        }
        for number in range(1, 20)
    ]
    return {"sections": sections, "paragraph": PARAGRAPH}


def page_count(pdf: bytes) -> int | None:
    try:
        from pypdf import PdfReader
    except ImportError:  # a production image without the dev tools
        return None
    return len(PdfReader(io.BytesIO(pdf)).pages)


def timed(render: Any, reps: int) -> dict[str, Any]:
    seconds = []
    pdf = b""
    for _ in range(reps):
        started = time.perf_counter()
        pdf = render()
        seconds.append(time.perf_counter() - started)
    return {"seconds": statistics.median(seconds), "all": seconds, "pages": page_count(pdf)}


def board_report_render(municipality_id: int | None) -> tuple[Any, str]:
    from followup.board_content import build_content
    from followup.board_selectors import report_view, sections
    from followup.board_services import PDF_TEMPLATE
    from followup.models import BoardReport
    from followup.periods import year_period
    from organisations.models import Municipality

    reports = BoardReport.objects.select_related("municipality").exclude(content={})
    if municipality_id is not None:
        reports = reports.filter(municipality_id=municipality_id)
    report = reports.order_by("-pk").first()
    if report is not None:
        comments = list(report.comments.all())
        source = f"board report {report.pk}"
    else:
        municipality = (
            Municipality.objects.get(pk=municipality_id)
            if municipality_id is not None
            else Municipality.objects.order_by("pk")[0]
        )
        today = timezone.localdate()
        period = year_period(today.year)
        report = BoardReport(municipality=municipality)
        report.content = build_content(municipality, period, today=today)
        comments = []
        source = f"content computed now for {municipality} {today.year} (no board report)"

    def render() -> bytes:
        with translation.override("sv"):
            context = {
                "report": report,
                "view": report_view(report.content),
                "sections": sections(comments),
            }
        return render_pdf(PDF_TEMPLATE, context)

    return render, source


class Command(BaseCommand):
    help = "Time R_pdf, the board report's PDF and the summary tables' refresh and rebuild."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--pdf", action="store_true")
        parser.add_argument("--rollups", action="store_true")
        parser.add_argument("--reps", type=int, default=3)
        parser.add_argument("--municipality", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        result: dict[str, Any] = {}
        if options["pdf"]:
            reps = max(1, options["reps"])
            context = reference_context()
            result["r_pdf"] = timed(lambda: render_pdf("bench/pdf_reference.html", context), reps)
            render, source = board_report_render(options["municipality"])
            result["board_pdf"] = timed(render, reps) | {"source": source}
        if options["rollups"]:
            from followup.rollups import changes_process, mark_time_dependent, rebuild

            now = timezone.now()
            started = time.perf_counter()
            mark_time_dependent(now=now)
            months = changes_process(now=now)
            result["rollup_refresh"] = {
                "seconds": time.perf_counter() - started,
                "months": months,
            }
            started = time.perf_counter()
            months = rebuild(now=now)
            result["rollup_rebuild"] = {"seconds": time.perf_counter() - started, "months": months}
        result["at"] = datetime.datetime.now(datetime.UTC).isoformat()
        self.stdout.write(json.dumps(result))
