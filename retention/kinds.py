"""Each record type about a child, as retention sees it: which of a municipality's records are
closed, from which moment the clock runs, whether the child is in the research sample, what a
record looks like in the e-archive, and how it is erased.

Erasing keeps the record's skeleton row: the keys and dates the follow-up's indicators count
(``followup.rollups``, ``sip.indicators``) and nothing that says who the child is or what
happened. Every free text, identity number, name, contact detail, category of concern, file
and history row goes (docs/retention.md lists field by field what stays).
"""

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db.models import (
    BooleanField,
    Case,
    DateTimeField,
    Exists,
    F,
    FileField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.files import FieldFile
from django.db.models.functions import Coalesce, Greatest, Substr

from organisations.models import Sector, Unit, User
from reports.models import (
    Attachment,
    CaseAssignment,
    ConcernReport,
    ConcernReportCategory,
    ReportStatus,
    SubmissionKey,
    Supplement,
)
from retention.models import ClockStart, DeletionItem, RecordType, RetentionRule
from retention.rules import RESEARCH_DAYS
from sip.models import (
    Consent,
    ConsentGiver,
    FamilyPrint,
    FeedbackMessage,
    NetworkMeeting,
    Participant,
    Plan,
    PlanAction,
    PlanStatus,
)

# The two digits of the day in a stored twelve-digit number; a coordination number's is + 60.
RESEARCH_DAY_DIGITS = sorted(
    {f"{day:02d}" for day in RESEARCH_DAYS} | {f"{day + 60:02d}" for day in RESEARCH_DAYS}
)
CLOCK = "_retention_clock"
RESEARCH = "_retention_research"


@dataclass
class Exported:
    """One record as it goes into the archive: its JSON and its files (path in the package's
    data folder → stored file)."""

    record: dict[str, Any]
    files: dict[str, FieldFile] = field(default_factory=dict)


def erased_child_ref() -> str:
    # A fresh random reference: the old one was derived from the identity number (and would
    # link the skeleton to the child's other records and to the access log).
    return "g-" + uuid.uuid4().hex[:20]


def value_of(obj: Model, name: str) -> Any:
    """A field's value in JSON terms: dates as ISO 8601, files by name, keys as ids."""
    value = getattr(obj, name)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def fields_of(obj: Model, *, skip: Iterable[str] = ()) -> dict[str, Any]:
    skipped = set(skip)
    return {
        model_field.attname: value_of(obj, model_field.attname)
        for model_field in obj._meta.concrete_fields
        if model_field.attname not in skipped and not isinstance(model_field, FileField)
    }


def _not_named(record_type: str) -> Exists:
    return Exists(DeletionItem.objects.filter(record_type=record_type, object_id=OuterRef("pk")))


def _research(rule: RetentionRule, born_on: Q) -> Case | Value:
    if not rule.research_exception:
        return Value(False)
    return Case(When(born_on, then=Value(True)), default=Value(False), output_field=BooleanField())


class ReportKind:
    """Reports of concern: closed by the intake (``closed_at``); the last entry is the later
    of the closing and the last supplement (a closed report takes no other entry)."""

    record_type = RecordType.REPORT
    model = ConcernReport

    def candidates(self, rule: RetentionRule) -> QuerySet[ConcernReport]:
        last_supplement = Subquery(
            Supplement.objects.filter(report=OuterRef("pk"))
            .order_by("-created_at")
            .values("created_at")[:1],
            output_field=DateTimeField(),
        )
        clock = (
            F("closed_at")
            if rule.clock_start == ClockStart.CLOSED
            else Greatest("closed_at", Coalesce(last_supplement, "closed_at"))
        )
        born_on = Q(_retention_day__in=RESEARCH_DAY_DIGITS)
        return (
            ConcernReport.objects.filter(
                municipality_id=rule.municipality_id,
                status=ReportStatus.CLOSED,
                closed_at__isnull=False,
            )
            .exclude(_not_named(self.record_type))
            .annotate(_retention_day=Substr("child_identity_number", 7, 2))
            .annotate(**{CLOCK: clock, RESEARCH: _research(rule, born_on)})
        )

    def unit_name(self, report: ConcernReport) -> str:
        return report.origin_label

    def unit_of(self, report: ConcernReport) -> Unit | None:
        return report.school_unit

    def listed(self, rows: QuerySet[ConcernReport]) -> QuerySet[ConcernReport]:
        """What the proposal needs, and not a word about the child."""
        return rows.select_related("school_unit").only(
            "reference_code", "case_number", "source", "closed_at", "school_unit__name"
        )

    def export(self, reports: list[ConcernReport]) -> list[Exported]:
        ids = [report.pk for report in reports]
        categories: dict[int, list[str]] = {}
        for report_id, category in ConcernReportCategory.objects.filter(
            report_id__in=ids
        ).values_list("report_id", "category"):
            categories.setdefault(report_id, []).append(category)
        supplements = _grouped(Supplement.objects.filter(report_id__in=ids), "report_id")
        attachments = _grouped(Attachment.objects.filter(report_id__in=ids), "report_id")
        assignments = _grouped(CaseAssignment.objects.filter(report_id__in=ids), "report_id")
        messages = {m.report_id: m for m in FeedbackMessage.objects.filter(report_id__in=ids)}
        siblings = _grouped(
            ConcernReport.siblings.through.objects.filter(from_concernreport_id__in=ids),
            "from_concernreport_id",
        )
        exported = []
        for report in reports:
            files = {
                f"attachments/{report.public_id}/{_stored_name(a.file)}": a.file
                for a in attachments.get(report.pk, [])
            }
            record = fields_of(report)
            record.update(
                record_type=self.record_type,
                reference=report.reference,
                categories=sorted(categories.get(report.pk, [])),
                supplements=[fields_of(s) for s in supplements.get(report.pk, [])],
                attachments=[
                    fields_of(a)
                    | {"path": f"attachments/{report.public_id}/{_stored_name(a.file)}"}
                    for a in attachments.get(report.pk, [])
                ],
                case_assignments=[fields_of(a) for a in assignments.get(report.pk, [])],
                sibling_report_ids=[s.to_concernreport_id for s in siblings.get(report.pk, [])],
                feedback_message=fields_of(messages[report.pk]) if report.pk in messages else None,
            )
            exported.append(Exported(record=record, files=files))
        return exported

    def erase(self, ids: list[int]) -> list[FieldFile]:
        """Erase the reports' personal data; the files to remove once the erasure commits."""
        files = [a.file for a in Attachment.objects.filter(report_id__in=ids)]
        Attachment.objects.filter(report_id__in=ids).delete()
        Supplement.objects.filter(report_id__in=ids).delete()
        ConcernReportCategory.objects.filter(report_id__in=ids).delete()
        CaseAssignment.objects.filter(report_id__in=ids).delete()
        SubmissionKey.objects.filter(report_id__in=ids).delete()
        ConcernReport.siblings.through.objects.filter(
            Q(from_concernreport_id__in=ids) | Q(to_concernreport_id__in=ids)
        ).delete()
        consents = list(Consent.objects.filter(report_id__in=ids).values_list("pk", flat=True))
        FeedbackMessage.objects.filter(report_id__in=ids).delete()
        erase_consents(consents)
        for report_id in ids:
            # One row each: every report gets its own random reference.
            ConcernReport.objects.filter(pk=report_id).update(
                child_ref=erased_child_ref(), **REPORT_BLANKS
            )
        return files


# What an erased report keeps: its keys, statuses, units, sector and every date (the
# follow-up's numbers); these fields are emptied. The author and the staff who took the
# intake's steps stay as account ids: they are the municipality's staff, not the child.
REPORT_BLANKS: dict[str, Any] = {
    "child_identity_number": "",
    "child_name": "",
    "child_approximate_age": None,
    "child_class": "",
    "guardians": "",
    "interpreter_language": "",
    "what_happened": "",
    "child_words": "",
    "guardians_not_informed_reason": "",
    "reporter_name": "",
    "reporter_organisation": "",
    "reporter_phone": "",
    "reporter_email": "",
    "protection_justification": "",
    "preliminary_notes": "",
    "extension_description": "",
    "extension_decided_by": "",
    "decision_reasons": "",
}


def erase_consents(consent_ids: list[int]) -> None:
    """Consents keep their dates (the plans' consent indicators count them), not who gave
    them nor the notes."""
    ConsentGiver.objects.filter(consent_id__in=consent_ids).delete()
    for consent_id in consent_ids:
        Consent.objects.filter(pk=consent_id).update(
            child_ref=erased_child_ref(), other_parties="", scope_note="", withdrawn_by_name=""
        )


class PlanKind:
    """Coordinated plans (closed: ``closed_at``; the last entry is the later of the closing
    and the plan's last save). ``medical`` selects the plans convened by the medical student
    health, which are its patient records (a rule of their own)."""

    def __init__(self, *, medical: bool) -> None:
        self.medical = medical
        self.record_type = RecordType.MEDICAL_PLAN if medical else RecordType.PLAN

    model = Plan

    def candidates(self, rule: RetentionRule) -> QuerySet[Plan]:
        clock = (
            F("closed_at")
            if rule.clock_start == ClockStart.CLOSED
            else Greatest("closed_at", "updated_at")
        )
        born_on = Q(_retention_day__in=RESEARCH_DAY_DIGITS) | (
            Q(child_identity_number="") & Q(child_birth_date__day__in=sorted(RESEARCH_DAYS))
        )
        sector = Q(convening_sector=Sector.MEDICAL_STUDENT_HEALTH)
        return (
            Plan.objects.filter(
                municipality_id=rule.municipality_id,
                status=PlanStatus.CLOSED,
                closed_at__isnull=False,
            )
            .filter(sector if self.medical else ~sector)
            .exclude(_not_named(self.record_type))
            .annotate(_retention_day=Substr("child_identity_number", 7, 2))
            .annotate(**{CLOCK: clock, RESEARCH: _research(rule, born_on)})
        )

    def unit_name(self, plan: Plan) -> str:
        unit = self.unit_of(plan)
        return unit.name if unit is not None else ""

    def unit_of(self, plan: Plan) -> Unit | None:
        return plan.convening_unit or plan.proposed_to_unit

    def listed(self, rows: QuerySet[Plan]) -> QuerySet[Plan]:
        return rows.select_related("convening_unit", "proposed_to_unit").only(
            "reference_code", "closed_at", "convening_unit__name", "proposed_to_unit__name"
        )

    def export(self, plans: list[Plan]) -> list[Exported]:
        ids = [plan.pk for plan in plans]
        participants = _grouped(Participant.objects.filter(plan_id__in=ids), "plan_id")
        actions = _grouped(PlanAction.objects.filter(plan_id__in=ids), "plan_id")
        meetings = _grouped(
            NetworkMeeting.objects.filter(plan_id__in=ids).prefetch_related("present"), "plan_id"
        )
        consents = _grouped(
            Consent.objects.filter(plan_id__in=ids).prefetch_related("givers", "parties"),
            "plan_id",
        )
        return [
            Exported(
                record=fields_of(plan)
                | {
                    "record_type": self.record_type,
                    "reference": plan.reference,
                    "participants": [fields_of(p) for p in participants.get(plan.pk, [])],
                    "actions": [fields_of(a) for a in actions.get(plan.pk, [])],
                    "meetings": [
                        fields_of(m) | {"present": sorted(p.pk for p in m.present.all())}
                        for m in meetings.get(plan.pk, [])
                    ],
                    "consents": [_consent(c) for c in consents.get(plan.pk, [])],
                }
            )
            for plan in plans
        ]

    def erase(self, ids: list[int]) -> list[FieldFile]:
        """Erase the plans' personal data and their history; the files to remove after."""
        prints = FamilyPrint.objects.filter(plan_id__in=ids)
        files = [p.pdf for p in prints if p.pdf]
        prints.delete()
        participant_ids = list(
            Participant.objects.filter(plan_id__in=ids).values_list("pk", flat=True)
        )
        action_ids = list(PlanAction.objects.filter(plan_id__in=ids).values_list("pk", flat=True))
        # The history tables hold full copies of every earlier version.
        Plan.history.model.objects.filter(id__in=ids).delete()
        Participant.history.model.objects.filter(id__in=participant_ids).delete()
        PlanAction.history.model.objects.filter(id__in=action_ids).delete()
        Participant.objects.filter(pk__in=participant_ids).update(
            name="", title="", phone="", email=""
        )
        PlanAction.objects.filter(pk__in=action_ids).update(what="", party_name="", by_whom="")
        NetworkMeeting.objects.filter(plan_id__in=ids).update(minutes="", decisions="")
        erase_consents(list(Consent.objects.filter(plan_id__in=ids).values_list("pk", flat=True)))
        for plan_id in ids:
            # ``update`` writes no history row (a save would copy the skeleton into it again).
            Plan.objects.filter(pk=plan_id).update(child_ref=erased_child_ref(), **PLAN_BLANKS)
        return files


PLAN_BLANKS: dict[str, Any] = {
    "child_identity_number": "",
    "child_name": "",
    "child_birth_date": None,
    "proposal_reason": "",
    "needs": "",
    "goals": "",
    "others_do": "",
    "close_note": "",
}


def _consent(consent: Consent) -> dict[str, Any]:
    return fields_of(consent) | {
        "givers": [fields_of(g) for g in consent.givers.all()],
        "parties": sorted(unit.pk for unit in consent.parties.all()),
    }


def _grouped[M: Model](rows: QuerySet[M], key: str) -> dict[int, list[M]]:
    grouped: dict[int, list[M]] = {}
    for row in rows:
        grouped.setdefault(getattr(row, key), []).append(row)
    return grouped


def _stored_name(file: FieldFile) -> str:
    # The random name the upload was stored under: never the original name (personal data).
    return (file.name or "").rsplit("/", 1)[-1]


class RecordKind(Protocol):
    """What retention needs of a record type (records are typed loosely: each kind knows its
    own model)."""

    @property
    def record_type(self) -> str: ...
    @property
    def model(self) -> type[Model]: ...

    def candidates(self, rule: RetentionRule) -> QuerySet[Any]: ...
    def listed(self, rows: QuerySet[Any]) -> QuerySet[Any]: ...
    def unit_of(self, record: Any) -> Unit | None: ...
    def unit_name(self, record: Any) -> str: ...
    def export(self, records: list[Any]) -> list[Exported]: ...
    def erase(self, ids: list[int]) -> list[FieldFile]: ...


KINDS: dict[str, RecordKind] = {
    RecordType.REPORT: ReportKind(),
    RecordType.PLAN: PlanKind(medical=False),
    RecordType.MEDICAL_PLAN: PlanKind(medical=True),
}


def people_named(records: list[dict[str, Any]]) -> dict[str, str]:
    """The staff accounts a set of exported records refers to, by id: their names, so the
    archive can be read without this installation."""
    ids: set[int] = set()
    for record in records:
        _collect_user_ids(record, ids)
    users = User.objects.filter(pk__in=ids).only("pk", "first_name", "last_name", "username")
    return {str(user.pk): user.get_full_name() or user.username for user in users}


_USER_FIELDS = frozenset(
    {
        "author_id",
        "confirmation_recorded_by_id",
        "feedback_request_recorded_by_id",
        "received_by_id",
        "protection_assessed_by_id",
        "preliminary_started_by_id",
        "decided_by_id",
        "decision_maker_id",
        "feedback_given_by_id",
        "closed_by_id",
        "owner_id",
        "assigned_to_id",
        "previous_owner_id",
        "assigned_by_id",
        "uploaded_by_id",
        "proposed_by_id",
        "created_by_id",
        "user_id",
        "recorded_by_id",
        "withdrawal_recorded_by_id",
        "written_by_id",
    }
)


def _collect_user_ids(value: Any, ids: set[int]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in _USER_FIELDS and isinstance(item, int):
                ids.add(item)
            else:
                _collect_user_ids(item, ids)
    elif isinstance(value, list):
        for item in value:
            _collect_user_ids(item, ids)
