"""Demo data of the board report: Leksand's published report for last year, with a comment
under each section, and a draft for this year. Made at once (not through the queue) so the
demo is complete when ``demo_data`` ends. Loading twice adds nothing."""

import datetime

from followup import board_services as services
from followup.models import BoardReport, BoardReportSection
from followup.periods import year_period
from organisations.models import Municipality, User
from wheel.models import ActivityType, Occurrence

COMMENTS = {
    BoardReportSection.STEERING: (
        "Samverkansrutinen har gemensamma mål för skola och socialtjänst. De flesta målen nås, "
        "men återkopplingen till skolan efter en orosanmälan behöver bli snabbare. Vi föreslår "
        "att kommunstyrelsen följer det målet särskilt under nästa år."
    ),
    BoardReportSection.ROUTINES: (
        "Rutinen är uppdaterad och de flesta i personalen har bekräftat att de läst den. "
        "Årshjulets möten har till största delen hållits som planerat. Mottagningen har inte "
        "hunnit träffa alla rektorer; det tar vi igen under hösten."
    ),
    BoardReportSection.FOLLOW_UP: (
        "Antalet orosanmälningar från skolorna är ungefär detsamma som året före. En skola har "
        "skickat få anmälningar, och där går samordnaren igenom rutinen med personalen. "
        "Siffror under fem visas som <5 för att inget barn ska kunna pekas ut."
    ),
}


def load(*, today: datetime.date) -> None:
    leksand = Municipality.objects.filter(code="2029").first()
    coordinator = User.objects.filter(username="coordinator.leksand").first()
    if leksand is None or coordinator is None:
        return
    last_year = year_period(today.year - 1)
    if not BoardReport.objects.filter(
        municipality=leksand, period_start=last_year.start, period_end=last_year.end
    ).exists():
        report = _draft(
            coordinator, leksand, today.year - 1, today, occurrence=_board_meeting(leksand, today)
        )
        for section, text in COMMENTS.items():
            services.board_report_comment_add(
                actor=coordinator, report=report, section=section, text=text
            )
        services.board_report_generate(report_id=report.pk, refresh_content=False, today=today)
        report.refresh_from_db()
        services.board_report_publish(actor=coordinator, report=report)
        # The final PDF ("published on ..."), made at once here rather than by a worker.
        services.board_report_generate(report_id=report.pk, refresh_content=False, today=today)
    this_year = year_period(today.year)
    if not BoardReport.objects.filter(
        municipality=leksand, period_start=this_year.start, period_end=this_year.end
    ).exists():
        _draft(coordinator, leksand, today.year, today)


def _board_meeting(municipality: Municipality, today: datetime.date) -> Occurrence | None:
    """The board meeting of the annual wheel this year where last year's report is presented
    (the wheel's demo plans one in March)."""
    return (
        Occurrence.objects.filter(
            municipality=municipality,
            series__activity_type=ActivityType.BOARD_REPORT,
            starts_at__year=today.year,
        )
        .order_by("starts_at")
        .first()
    )


def _draft(
    coordinator: User,
    municipality: Municipality,
    year: int,
    today: datetime.date,
    *,
    occurrence: Occurrence | None = None,
) -> BoardReport:
    report = services.board_report_create_draft(
        actor=coordinator,
        municipality=municipality,
        period=year_period(year),
        occurrence=occurrence,
    )
    services.board_report_generate(report_id=report.pk, today=today)
    report.refresh_from_db()
    return report
