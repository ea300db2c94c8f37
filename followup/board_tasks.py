"""The board report's background task (``django.tasks``): a PDF takes seconds, so it is never
made inside a request (PERFORMANCE.md)."""

from django.tasks import task

from followup.board_services import board_report_generate


@task()
def generate_board_report(report_id: int, refresh_content: bool = True) -> str:
    """Make the report's snapshot (unless ``refresh_content`` is false) and PDF."""
    return board_report_generate(report_id=report_id, refresh_content=refresh_content)
