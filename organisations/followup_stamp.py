"""The follow-up stamp: what lets a municipality's dashboard be kept in the shared cache safely.

The follow-up's dashboard reads the summary tables and a few small tables (targets, schools,
governance documents, audits, comparison consents, reference values). Computing it and its
thirteen trend charts costs tens of milliseconds; its inputs change seldom. So the computed
dashboard is kept in the shared cache under a key that names the municipality's
``followup_stamp`` (``followup.cached``), a column of the municipality's row that every change
to those inputs renews **in the same transaction**, as the access stamp does for memberships
(organisations/access_stamp.py). An entry is never wrong, only unused: a change is seen on the
next request, a rolled-back change leaves the old stamp and the old entry, which still hold,
and a random stamp is never reused (a restored backup, two processes, Redis gone).

What renews it: a summary-table bucket of the municipality recomputed with other rows
(``followup.rollups``), the municipality or one of its units saved, changed or created in
bulk (here), and the receivers in ``followup.stamps`` for the other inputs. A change in raw
SQL must call ``followup_restamp`` itself.
"""

from collections.abc import Iterable
from typing import Any

from organisations.access_stamp import new_access_stamp


def followup_restamp(municipality_ids: Iterable[int | None]) -> None:
    """Give these municipalities a new follow-up stamp: their cached dashboards are not used
    again."""
    from organisations.models import Municipality

    ids = sorted({mid for mid in municipality_ids if mid is not None})
    if ids:
        # The base manager: a plain update, which restamps no user (the municipality's own
        # manager would, through its bulk-change hook).
        Municipality._base_manager.filter(pk__in=ids).update(followup_stamp=new_access_stamp())


def followup_restamp_all() -> None:
    """Every municipality (a national reference value changed, the summary tables rebuilt)."""
    from organisations.models import Municipality

    Municipality._base_manager.update(followup_stamp=new_access_stamp())


def units_changed(pks: list[Any]) -> None:
    """Units changed in bulk: their members' access and their municipalities' follow-up."""
    from organisations import access_stamp
    from organisations.models import Unit

    access_stamp.units_restamp(pks)
    followup_restamp(
        Unit.objects.filter(pk__in=pks).values_list("municipality_id", flat=True).distinct()
    )


def units_created(objs: list[Any]) -> None:
    """New units in bulk: no members yet, but a new school is in its municipality's dashboard."""
    followup_restamp(obj.municipality_id for obj in objs)


def municipalities_changed(pks: list[Any]) -> None:
    from organisations import access_stamp

    access_stamp.municipalities_restamp(pks)
    followup_restamp(pks)


def unit_saved(instance: Any, **_signal: Any) -> None:
    followup_restamp([instance.municipality_id])


def municipality_saved(instance: Any, **_signal: Any) -> None:
    # After the save, which wrote the stamp the instance was loaded with: a new one.
    followup_restamp([instance.pk])
