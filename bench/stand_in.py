"""STAND-IN for ``manage.py generate`` (issue 13's data generator, not on main yet).

When the ``generate`` command does not exist, ``bench/run`` loads the demo data
(``manage.py demo_data --force``) and runs :func:`main` inside the stack's database, which
prints a manifest of the generator's shape (see bench/README.md, "The manifest") built from
the demo's known users (``<role>.leksand`` in focus_large, ``<role>.eksjo`` in focus_small),
each given an authenticator app (production requires two-factor for these roles). The figures
of such a run describe the demo's few rows, not a profile: the results say "stand-in".
Delete this module once the generator has landed.
"""

import hashlib
import json

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import transaction

from organisations.demo import DEMO_PASSWORD
from organisations.models import Municipality, User

ROLES = {
    "intake": "intake",
    "teacher": "teacher",
    "principal": "principal",
    "student_health": "counsellor",
    "coordinator": "coordinator",
    "manager": "manager",
    "board": "board",
    "auditor": "auditor",
    "municipal_admin": "admin",
}
SAMPLES = 20


def _samples(
    municipality: Municipality, teacher: User, student_health: User
) -> dict[str, list[str]]:
    from governance.models import GovernanceDocument
    from reports.models import ConcernReport, ReportStatus
    from sip.models import Plan
    from sip.policies import SipAction, plan_policy
    from surveys.models import Round
    from wheel.models import Occurrence

    reports = ConcernReport.objects.filter(municipality=municipality).exclude(
        status=ReportStatus.DRAFT
    )
    closed = reports.filter(closed_at__isnull=False)

    def ids(queryset: object, field: str = "public_id") -> list[str]:
        return [str(value) for value in queryset.values_list(field, flat=True)[:SAMPLES]]  # type: ignore[attr-defined]

    return {
        "report_open": ids(reports.filter(closed_at__isnull=True).order_by("pk")),
        "report_closed": ids(closed.order_by("pk")),
        "report_by_teacher": ids(reports.filter(author=teacher).order_by("pk")),
        # The plans the student health worker takes part in (a plan shows only to its parties).
        "sip": ids(
            plan_policy.visible(student_health, SipAction.VIEW).order_by("pk")
            or Plan.objects.filter(municipality=municipality).order_by("pk")
        ),
        "governance_document": ids(
            GovernanceDocument.objects.filter(municipality=municipality).order_by("pk"), "pk"
        ),
        "wheel_occurrence": ids(
            Occurrence.objects.filter(municipality=municipality).order_by("pk"), "pk"
        ),
        "survey_round": ids(Round.objects.filter(municipality=municipality).order_by("pk"), "pk"),
    }


def main() -> None:
    secrets: dict[str, str] = {}
    with transaction.atomic():
        places = {"focus_large": "leksand", "focus_small": "eksjo"}
        users: dict[str, dict[str, str]] = {}
        for focus, place in places.items():
            users[focus] = {key: f"{name}.{place}" for key, name in ROLES.items()}
            for username in users[focus].values():
                user = User.objects.get(username=username)
                Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
                secret = generate_totp_secret()
                TOTP.activate(user, secret)
                secrets[username] = secret
        large = Municipality.objects.get(accounts__username=users["focus_large"]["intake"])
        small = Municipality.objects.get(accounts__username=users["focus_small"]["intake"])
        teacher = User.objects.get(username=users["focus_large"]["teacher"])
        student_health = User.objects.get(username=users["focus_large"]["student_health"])
        samples = _samples(large, teacher, student_health)
    manifest = {
        "profile": "stand-in (demo_data)",
        "seed": 0,
        "as_of": None,
        "content_hash": "sha256:" + hashlib.sha256(json.dumps(samples).encode()).hexdigest(),
        "seconds": None,
        "counts": {},
        "password": DEMO_PASSWORD,
        "municipalities": {"focus_small": small.pk, "focus_large": large.pk},
        "users": users["focus_large"],
        "users_small": users["focus_small"],
        "samples": samples,
        "totp_secrets": secrets,
        "stand_in": True,
    }
    print(json.dumps(manifest))
