import datetime
import zoneinfo
from enum import StrEnum

import pytest
import time_machine

from access.models import AccessAction, AccessLog
from organisations.models import Municipality, Role, User

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


class UnitAction(StrEnum):
    """The actions of the stand-in policies over units in these tests."""

    VIEW = "view"
    EDIT = "edit"
    NOTHING = "nothing"


def local(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


def add_log_rows(
    *,
    user: User,
    municipality: Municipality,
    at: datetime.datetime,
    count: int = 1,
    child_ref: str = "child-1",
    action: str = AccessAction.VIEW,
    role: str = Role.INTAKE,
) -> list[AccessLog]:
    """Append ``count`` access-log rows, all stamped ``at`` (occurred_at is set by the database
    layer on insert and can not be changed afterwards, so the clock is moved instead)."""
    rows = [
        AccessLog(
            user=user,
            username=user.username,
            role=role,
            unit=None,
            municipality=municipality,
            object_type="organisations.unit",
            object_id=str(index),
            child_ref=child_ref,
            action=action,
            rule="test_rule",
            request_id=f"request-{index:04d}",
        )
        for index in range(count)
    ]
    with time_machine.travel(at, tick=False):
        return AccessLog.objects.bulk_create(rows)


@pytest.fixture
def today():
    """Pin the clock: the tests speak of "the previous month" as March 2025."""
    with time_machine.travel(local(2025, 4, 15, 10), tick=True):
        yield datetime.date(2025, 4, 15)
