"""The endpoints a run measures: every list, detail, write, dashboard, board report and export,
for each role of the manifest's large focus municipality, plus the references.

:func:`candidates` lists what each role should reach; the runner probes each once and keeps
those that answer 200 (the rest are recorded with their status, never silently dropped).
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

# Which target a kind of endpoint answers to (PERFORMANCE.md) and its floor as a share of
# R_hello's req/s; "page" and "export" are measured and shown without a target.
KIND_TARGETS: dict[str, tuple[str, float]] = {
    "list": ("T1", 0.10),
    "detail": ("T2", 0.15),
    "write": ("T2", 0.05),
    "dashboard": ("T3", 0.30),
}
# T7: queries per request.
QUERY_LIMITS = {"list": 8, "detail": 12, "dashboard": 4}
SAMPLES_PER_DETAIL = 20


@dataclass
class Endpoint:
    name: str
    kind: str  # reference | list | detail | write | dashboard | page | export
    role: str | None
    paths: list[str]
    script: str = "session.lua"
    # A required endpoint that does not answer 200 fails ``bench/run --strict`` (CI); the
    # others may be out of a role's reach with some data (a SIP the user takes no part in).
    required: bool = False
    note: str = ""
    result: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.role or 'anonymous'}: {self.name}"


# What every run must reach (``bench/run --strict`` fails otherwise): the references, each
# role's start page, and the pages PERFORMANCE.md and issue 13 name.
REQUIRED = {
    "R_hello",
    "R_q",
    "R_tpl",
    "start page",
    "intake inbox, page 1",
    "intake inbox, closed, page 1",
    "report page (intake)",
    "my reports",
    "report status (author)",
    "new report page",
    "file a report (2 POSTs)",
    "the school's reports",
    "governance list",
    "governance document",
    "the wheel",
    "survey rounds",
    "board reports list",
    "follow-up dashboard",
    "indicators",
    "dashboard CSV",
    "access-log review",
}

REFERENCES = [
    Endpoint("R_hello", "reference", None, ["/bench/hello/"]),
    Endpoint("R_q", "reference", None, ["/bench/q/"]),
    Endpoint("R_tpl", "reference", None, ["/bench/tpl/"]),
]


def _ids(manifest: dict[str, Any], sample: str, pattern: str) -> list[str]:
    values = manifest.get("samples", {}).get(sample, [])[:SAMPLES_PER_DETAIL]
    return [pattern.format(value) for value in values]


def _ten_years(manifest: dict[str, Any]) -> str:
    """The dashboard over the longest period it offers: 120 months up to the data's date."""
    as_of = manifest.get("as_of")
    end = datetime.date.fromisoformat(as_of) if as_of else datetime.date.today()  # noqa: DTZ011
    first = datetime.date(end.year - 10, end.month, 1)
    first = datetime.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return f"/uppfoljning/?period=custom&from={first:%Y-%m}&to={end:%Y-%m}"


def candidates(manifest: dict[str, Any]) -> list[Endpoint]:
    """Every endpoint worth measuring, by role (the manifest's ``users`` keys)."""
    e = Endpoint
    found: list[Endpoint] = []
    for role in manifest.get("users", {}):
        found.append(e("start page", "page", role, ["/"]))
    found += [
        # Social services' intake (the social workers of the role mix).
        e("intake inbox, page 1", "list", "intake", ["/anmalan/intake/"]),
        e("intake inbox, closed, page 1", "list", "intake", ["/anmalan/intake/?status=closed"]),
        e(
            "report page (intake)",
            "detail",
            "intake",
            _ids(manifest, "report_open", "/anmalan/intake/{}/"),
        ),
        e(
            "closed report page (intake)",
            "detail",
            "intake",
            _ids(manifest, "report_closed", "/anmalan/intake/{}/"),
        ),
        e("intake search page", "page", "intake", ["/anmalan/intake/search/"]),
        e("notifications", "list", "intake", ["/meddelanden/"]),
        e("SIP list (intake)", "list", "intake", ["/sip/"]),
        e("SIP page (intake)", "detail", "intake", _ids(manifest, "sip", "/sip/plan/{}/")),
        # Schools.
        e("my reports", "list", "teacher", ["/anmalan/mine/"]),
        e(
            "report status (author)",
            "detail",
            "teacher",
            _ids(manifest, "report_by_teacher", "/anmalan/status/{}/"),
        ),
        e("new report page", "page", "teacher", ["/anmalan/new/"]),
        e(
            "file a report (2 POSTs)",
            "write",
            "teacher",
            ["/anmalan/new/"],
            script="file_report.lua",
        ),
        e("the school's reports", "list", "principal", ["/anmalan/school/"]),
        e("follow-up dashboard (principal)", "dashboard", "principal", ["/uppfoljning/"]),
        # Student health.
        e("SIP list", "list", "student_health", ["/sip/"]),
        e("SIP page", "detail", "student_health", _ids(manifest, "sip", "/sip/plan/{}/")),
        # Coordinator: governance, the wheel, surveys, SIPs, board reports.
        e("governance list", "list", "coordinator", ["/styrdokument/"]),
        e(
            "governance document",
            "detail",
            "coordinator",
            _ids(manifest, "governance_document", "/styrdokument/{}/"),
        ),
        e("the wheel", "list", "coordinator", ["/arshjul/"]),
        e("the wheel, list", "list", "coordinator", ["/arshjul/lista/"]),
        e(
            "wheel occurrence",
            "detail",
            "coordinator",
            _ids(manifest, "wheel_occurrence", "/arshjul/tillfallen/{}/"),
        ),
        e("SIP list (coordinator)", "list", "coordinator", ["/sip/"]),
        e(
            "SIP page (coordinator)",
            "detail",
            "coordinator",
            _ids(manifest, "sip", "/sip/plan/{}/"),
        ),
        e("survey rounds", "list", "coordinator", ["/enkater/"]),
        e(
            "survey round",
            "detail",
            "coordinator",
            _ids(manifest, "survey_round", "/enkater/omgang/{}/"),
        ),
        e("survey results list", "list", "coordinator", ["/enkater/resultat/"]),
        e(
            "survey results",
            "dashboard",
            "coordinator",
            _ids(manifest, "survey_round", "/enkater/resultat/{}/"),
        ),
        e(
            "survey results CSV",
            "export",
            "coordinator",
            _ids(manifest, "survey_round", "/enkater/resultat/{}/resultat.csv"),
        ),
        e(
            "survey results Excel",
            "export",
            "coordinator",
            _ids(manifest, "survey_round", "/enkater/resultat/{}/resultat.xlsx"),
        ),
        e("board reports list", "list", "coordinator", ["/aterrapportering/"]),
        # Managers and the board: dashboards read summary tables.
        e("follow-up dashboard", "dashboard", "manager", ["/uppfoljning/"]),
        e("indicators", "dashboard", "manager", ["/uppfoljning/indikatorer/"]),
        e("targets", "page", "coordinator", ["/uppfoljning/mal/"]),
        e("dashboard CSV", "export", "manager", ["/uppfoljning/export.csv"]),
        e("dashboard Excel", "export", "manager", ["/uppfoljning/export.xlsx"]),
        e("follow-up dashboard (board)", "dashboard", "board", ["/uppfoljning/"]),
        e("follow-up dashboard, 10 years", "dashboard", "board", [_ten_years(manifest)]),
        e("board reports list (board)", "list", "board", ["/aterrapportering/"]),
        # Auditors and administrators.
        e("audits list", "list", "auditor", ["/revision/"]),
        e("access-log review", "list", "municipal_admin", ["/access/loggkontroll/"]),
        e("comparison", "dashboard", "municipal_admin", ["/uppfoljning/jamforelse/"]),
        e("users list", "list", "municipal_admin", ["/organisation/users/"]),
    ]
    for endpoint in found:
        endpoint.required = endpoint.name in REQUIRED
        if not endpoint.paths:
            endpoint.note = "no ids in the manifest's samples"
    return found


# The role mix (PERFORMANCE.md, "Load"): each share, and the endpoints its users visit.
MIX = {
    "social_workers": (
        0.35,
        "intake",
        [
            "intake inbox, page 1",
            "report page (intake)",
            "start page",
            "intake search page",
            "intake inbox, closed, page 1",
        ],
    ),
    "student_health": (0.25, "student_health", ["start page", "SIP list", "SIP page"]),
    "teachers": (
        0.15,
        "teacher",
        ["new report page", "report status (author)", "my reports", "start page"],
    ),
    "principals_managers": (
        0.10,
        "principal",
        ["the school's reports", "follow-up dashboard (principal)", "start page"],
    ),
    "board": (0.05, "board", ["follow-up dashboard (board)", "board reports list (board)"]),
    "survey_answers": (0.10, None, []),
}
