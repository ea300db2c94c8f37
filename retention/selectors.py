"""Reading what is due: the deletion proposal, page by page, and the decisions.

The proposal names records by their reference and case number, their unit and dates; never by
the child. It is read in keyset pages ordered by the moment the clock started (the due day),
so a page costs the same few queries however many records the municipality has.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.keyset import rows_after
from organisations.models import User
from retention.kinds import CLOCK, KINDS, RESEARCH
from retention.models import DeletionDecision, DeletionItem, RetentionRule
from retention.policies import DECIDE, decision_policy
from retention.rules import due_on, local_date, started_before

PAGE_SIZE = 200
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class ProposalRow:
    object_id: int
    reference: str
    case_number: str
    unit: str
    closed_on: datetime.date
    due_on: datetime.date
    kept_for_research: bool


@dataclass(frozen=True)
class Proposal:
    rule: RetentionRule
    rows: list[ProposalRow]
    next_cursor: str  # "" on the last page

    @property
    def to_erase(self) -> list[ProposalRow]:
        return [row for row in self.rows if not row.kept_for_research]

    @property
    def kept(self) -> list[ProposalRow]:
        return [row for row in self.rows if row.kept_for_research]


def due_records(rule: RetentionRule, *, today: datetime.date) -> QuerySet[Any]:
    """Every closed record of the rule's type and municipality whose time is out on ``today``
    (kept-for-research ones included, flagged) and that no decision names yet."""
    kind = KINDS[rule.record_type]
    before = started_before(today, rule.years)
    return kind.candidates(rule).filter(**{f"{CLOCK}__lt": before})


def _cursor_filter(cursor: str) -> Q:
    try:
        stamp, pk = cursor.split("_")
        moment = EPOCH + datetime.timedelta(microseconds=int(stamp))
        last_id = int(pk)
    except ValueError:
        return Q()  # a mangled cursor starts from the beginning
    return rows_after((CLOCK, "pk"), (moment, last_id), descending=False)


def _cursor_of(moment: datetime.datetime, pk: int) -> str:
    return f"{(moment - EPOCH) // datetime.timedelta(microseconds=1)}_{pk}"


def proposal_page(
    rule: RetentionRule,
    *,
    cursor: str = "",
    today: datetime.date | None = None,
    page_size: int = PAGE_SIZE,
) -> Proposal:
    """One page of what is due under ``rule`` (one query)."""
    today = today or timezone.localdate()
    kind = KINDS[rule.record_type]
    rows = due_records(rule, today=today)
    if cursor:
        rows = rows.filter(_cursor_filter(cursor))
    found = list(kind.listed(rows).order_by(CLOCK, "pk")[: page_size + 1])
    more = len(found) > page_size
    found = found[:page_size]
    listed = [
        ProposalRow(
            object_id=record.pk,
            reference=record.reference,
            case_number=getattr(record, "case_number", ""),
            unit=kind.unit_name(record),
            closed_on=local_date(record.closed_at),
            due_on=due_on(getattr(record, CLOCK), rule.years),
            kept_for_research=getattr(record, RESEARCH),
        )
        for record in found
    ]
    last = found[-1] if found and more else None
    next_cursor = _cursor_of(getattr(last, CLOCK), last.pk) if last is not None else ""
    return Proposal(rule=rule, rows=listed, next_cursor=next_cursor)


def decisions_visible(user: User) -> QuerySet[DeletionDecision]:
    return decision_policy.visible(user, DECIDE).order_by("-decided_at", "-id")


def decision_items(decision: DeletionDecision) -> QuerySet[DeletionItem]:
    return decision.items.select_related("unit").order_by("due_on", "object_id")
