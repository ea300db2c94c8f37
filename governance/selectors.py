"""Reading governance documents: the current version, the alerts, and who has read what.

- The *current version* of a document is its approved version (one with an approval date)
  with the highest number. Versions without an approval date are drafts.
- The *next revision* is the current version's approval date (or, without one, its first day
  of validity) plus its revision interval in months.
- Alerts (see ``alerts_for``) are computed from those dates and the measures, never stored.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from governance.models import (
    DocumentKind,
    DocumentVersion,
    GovernanceDocument,
    Measure,
    MeasureStatus,
    ReadConfirmation,
)
from governance.rules import REVISION_NOTICE_DAYS
from organisations.models import User

OPEN_MEASURE_STATUSES = (MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS)


# --- versions ---------------------------------------------------------------------------------


def approved_versions(document_ref: Any) -> QuerySet[DocumentVersion]:
    """Approved versions of a document (an id, a document or an ``OuterRef``), newest first."""
    return DocumentVersion.objects.filter(
        document=document_ref, approved_on__isnull=False
    ).order_by("-number")


def current_version(document: GovernanceDocument) -> DocumentVersion | None:
    return approved_versions(document).first()


def next_revision_date(version: DocumentVersion | None) -> datetime.date | None:
    if version is None:
        return None
    start = version.approved_on or version.valid_from
    if start is None:
        return None
    return start + relativedelta(months=version.revision_interval_months)


# --- alerts -----------------------------------------------------------------------------------


class AlertKind(StrEnum):
    REVISION_DUE = "revision_due"
    REVISION_OVERDUE = "revision_overdue"
    EXPIRED = "expired"
    MEASURE_OVERDUE = "measure_overdue"


@dataclass(frozen=True)
class Alert:
    """One thing wrong with a document. ``text`` is in the active language and says what it
    is in words (the colour of ``severity`` only repeats it)."""

    kind: AlertKind
    severity: str  # "warning" or "danger"
    text: str
    day: datetime.date | None = None  # the date the alert is about
    count: int = 0  # overdue measures

    @property
    def is_danger(self) -> bool:
        return self.severity == "danger"


def alerts_for(
    version: DocumentVersion | None, *, overdue_measures: int, today: datetime.date
) -> list[Alert]:
    """The alerts of a document whose current version is ``version``, on ``today``.

    - expired: the version's last day of validity is before today (danger);
    - revision overdue: the next revision date is before today (danger);
    - revision due: the next revision date is today or within ``REVISION_NOTICE_DAYS`` days
      (warning);
    - measure overdue: open measures (planned or in progress) with a due date before today.
    """
    alerts = []
    if version is not None and version.valid_to is not None and version.valid_to < today:
        alerts.append(
            Alert(
                AlertKind.EXPIRED,
                "danger",
                _("Expired on %(date)s") % {"date": date_format(version.valid_to, "DATE_FORMAT")},
                version.valid_to,
            )
        )
    revision = next_revision_date(version)
    if revision is not None:
        if revision < today:
            alerts.append(
                Alert(
                    AlertKind.REVISION_OVERDUE,
                    "danger",
                    _("Revision overdue since %(date)s")
                    % {"date": date_format(revision, "DATE_FORMAT")},
                    revision,
                )
            )
        elif revision <= today + datetime.timedelta(days=REVISION_NOTICE_DAYS):
            alerts.append(
                Alert(
                    AlertKind.REVISION_DUE,
                    "warning",
                    _("Revision due on %(date)s") % {"date": date_format(revision, "DATE_FORMAT")},
                    revision,
                )
            )
    if overdue_measures:
        alerts.append(
            Alert(
                AlertKind.MEASURE_OVERDUE,
                "danger",
                ngettext(
                    "%(count)s measure overdue", "%(count)s measures overdue", overdue_measures
                )
                % {"count": overdue_measures},
                count=overdue_measures,
            )
        )
    return alerts


def overdue_measures(document: GovernanceDocument, today: datetime.date) -> QuerySet[Measure]:
    return Measure.objects.filter(
        document=document, status__in=OPEN_MEASURE_STATUSES, due_on__lt=today
    )


@dataclass(frozen=True)
class DocumentStatus:
    """A document with its current version, next revision date and alerts."""

    document: GovernanceDocument
    current: DocumentVersion | None
    next_revision: datetime.date | None
    alerts: list[Alert]

    @property
    def has_danger(self) -> bool:
        return any(alert.is_danger for alert in self.alerts)


def document_statuses(
    documents: QuerySet[GovernanceDocument], *, today: datetime.date
) -> list[DocumentStatus]:
    """Each document's status in two queries, whatever the number of documents: the documents
    (with the current version's id and the count of overdue measures as subqueries) and their
    current versions."""
    overdue = (
        Measure.objects.filter(
            document=OuterRef("pk"), status__in=OPEN_MEASURE_STATUSES, due_on__lt=today
        )
        .order_by()
        .values("document")
        .annotate(count=Count("id"))
        .values("count")
    )
    rows = list(
        documents.annotate(
            current_version_id=Subquery(approved_versions(OuterRef("pk")).values("pk")[:1]),
            overdue_measure_count=Coalesce(
                Subquery(overdue, output_field=IntegerField()), Value(0)
            ),
        )
    )
    version_ids = [row.current_version_id for row in rows if row.current_version_id]
    versions = DocumentVersion.objects.in_bulk(version_ids) if version_ids else {}
    statuses = []
    for row in rows:
        version = versions.get(row.current_version_id)
        statuses.append(
            DocumentStatus(
                document=row,
                current=version,
                next_revision=next_revision_date(version),
                alerts=alerts_for(version, overdue_measures=row.overdue_measure_count, today=today),
            )
        )
    return statuses


# --- read confirmations -----------------------------------------------------------------------


def confirmation_of(user: User, version: DocumentVersion | None) -> ReadConfirmation | None:
    if version is None:
        return None
    return ReadConfirmation.objects.filter(version=version, user=user).first()


def routines_awaiting_confirmation(
    user: User, municipality_ids: Iterable[int]
) -> list[tuple[int, str]]:
    """(id, title) of the routines of these municipalities whose current version ``user`` has
    not confirmed: one query."""
    ids = list(municipality_ids)
    if not ids:
        return []
    latest = approved_versions(OuterRef("document")).values("number")[:1]
    return list(
        DocumentVersion.objects.filter(
            document__municipality_id__in=ids,
            document__kind=DocumentKind.ROUTINE,
            approved_on__isnull=False,
            number=Subquery(latest),
        )
        .exclude(pk__in=ReadConfirmation.objects.filter(user=user).values("version_id"))
        .order_by("document__title", "document_id")
        .values_list("document_id", "document__title")
    )


def confirmed_filter(version: DocumentVersion) -> Q:
    """Memberships whose user has confirmed ``version``."""
    return Q(user_id__in=ReadConfirmation.objects.filter(version=version).values("user_id"))


def main_routine_version(
    municipality_id: int,
) -> tuple[GovernanceDocument, DocumentVersion] | None:
    """The municipality's collaboration routine and its current version: of the routines with
    an approved version, the one approved most recently (the follow-up's "share of staff who
    confirmed the current routine" is about it). One query."""
    version = (
        DocumentVersion.objects.filter(
            document__municipality_id=municipality_id,
            document__kind=DocumentKind.ROUTINE,
            approved_on__isnull=False,
        )
        .select_related("document")
        .order_by("-approved_on", "-number", "-pk")
        .first()
    )
    if version is None:
        return None
    return version.document, version
