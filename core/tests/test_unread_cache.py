"""The unread count in every page's header is kept in the shared cache, and every change to a
user's notifications, whichever way it is made, is counted on the next page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import Notification
from core.notifications import notification_mark_read, notify, unread_count
from organisations.models import Role

pytestmark = pytest.mark.django_db


def _count(user) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        count = unread_count(user)
    return count, len(queries)


def test_the_count_is_kept_until_a_notification_changes(world):
    intake = world.user(Role.INTAKE)
    notify(users=[intake], text="En", url="/", dedupe_key="one")
    assert _count(intake) == (1, 1)
    assert _count(intake) == (1, 0)
    notify(users=[intake], text="Två", url="/", dedupe_key="two")
    assert _count(intake) == (2, 1)


def test_bulk_changes_are_counted_on_the_next_page(world):
    intake = world.user(Role.INTAKE)
    other = world.user(Role.REPORTER)
    assert _count(intake) == (0, 1)
    Notification.objects.bulk_create(
        Notification(user=intake, text=f"{n}", dedupe_key=f"bulk:{n}") for n in range(3)
    )
    assert _count(intake)[0] == 3
    Notification.objects.filter(user=intake, dedupe_key="bulk:0").update(read_at=timezone.now())
    assert _count(intake)[0] == 2
    Notification.objects.filter(user=intake, dedupe_key="bulk:1").delete()
    assert _count(intake)[0] == 1
    notification_mark_read(user=intake)
    assert _count(intake)[0] == 0
    # Another user's count is their own.
    assert _count(other)[0] == 0


def test_a_single_notification_saved_or_deleted_is_counted(world):
    intake = world.user(Role.INTAKE)
    note = Notification.objects.create(user=intake, text="En", dedupe_key="single")
    assert _count(intake)[0] == 1
    note.read_at = timezone.now()
    note.save()
    assert _count(intake)[0] == 0
    note.read_at = None
    note.save()
    assert _count(intake)[0] == 1
    note.delete()
    assert _count(intake)[0] == 0
