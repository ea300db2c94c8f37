"""get_or_404: one 404 for "not there" and "not yours", and one access-log row per read of an
object about a child, stamped with the request id the middleware gave the request."""

from typing import override

import pytest
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.test import RequestFactory

from access.context import current_request_id
from access.loaders import get_or_404
from access.middleware import RequestIdMiddleware
from access.models import AccessAction, AccessLog
from access.policies import Grant, Policy
from access.tests.conftest import UnitAction
from organisations.models import Role, Unit, UnitKind, User
from organisations.selectors import memberships_of
from tests.world import World


class ChildUnitPolicy(Policy[Unit, UnitAction]):
    """A stand-in for a policy over child records: a member reads their own unit, and every
    read is logged. The unit plays the child record (see ``units_hold_child_data``)."""

    model = Unit
    actions = UnitAction
    logs_reads = True

    @override
    def grants(self, user: User, action: str) -> list[Grant]:
        return [
            Grant(rule="member_of_unit", q=Q(pk=membership.unit_id), membership=membership)
            for membership in memberships_of(user)
        ]


class UnloggedUnitPolicy(ChildUnitPolicy):
    logs_reads = False


@pytest.fixture
def units_hold_child_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give Unit, for this test only, what a child record exposes to the access log."""
    monkeypatch.setattr(
        Unit, "access_log_child_ref", property(lambda unit: f"child-{unit.pk}"), raising=False
    )
    monkeypatch.setattr(
        Unit,
        "access_log_municipality_id",
        property(lambda unit: unit.municipality_id),
        raising=False,
    )


def load(
    user: User,
    policy: Policy[Unit, UnitAction],
    *,
    request_id: str = "proxy-request-0001",
    log_action: str = AccessAction.VIEW,
    **lookup: object,
) -> tuple[Unit, HttpResponse]:
    """Run get_or_404 inside a view behind the request-id middleware, as a real request does."""
    loaded: dict[str, Unit] = {}

    def view(request: HttpRequest) -> HttpResponse:
        loaded["unit"] = get_or_404(
            request, policy, UnitAction.VIEW, log_action=log_action, **lookup
        )
        return HttpResponse("ok")

    request = RequestFactory().get("/", headers={"X-Request-ID": request_id})
    request.user = user
    response = RequestIdMiddleware(view)(request)
    return loaded["unit"], response


@pytest.mark.usefixtures("units_hold_child_data")
def test_a_read_writes_exactly_one_access_log_row(world: World, settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 1  # behind our proxy its request id is kept
    intake_worker = world.user(Role.INTAKE)
    intake = world.unit(UnitKind.INTAKE)
    membership = memberships_of(intake_worker)[0]

    unit, response = load(intake_worker, ChildUnitPolicy(), pk=intake.pk)

    assert unit == intake
    row = AccessLog.objects.get()
    assert row.user == intake_worker
    assert row.username == intake_worker.username
    assert row.role == Role.INTAKE == membership.role
    assert row.unit == intake == membership.unit
    assert row.municipality == world.municipality("leksand")
    assert row.object_type == "organisations.unit"
    assert row.object_id == str(intake.pk)
    assert row.child_ref == f"child-{intake.pk}"
    assert row.action == AccessAction.VIEW
    assert row.rule == "member_of_unit"
    assert row.request_id == "proxy-request-0001" == response["X-Request-ID"]
    assert current_request_id.get() == ""  # reset after the request


@pytest.mark.usefixtures("units_hold_child_data")
def test_the_log_records_the_kind_of_read_and_a_generated_request_id(world: World) -> None:
    intake = world.unit(UnitKind.INTAKE)
    _, response = load(
        world.user(Role.INTAKE),
        ChildUnitPolicy(),
        request_id="not a safe id",
        log_action=AccessAction.PRINT,
        pk=intake.pk,
    )
    row = AccessLog.objects.get()
    assert row.action == AccessAction.PRINT
    assert row.request_id == response["X-Request-ID"] != "not a safe id"
    assert len(row.request_id) == 32


@pytest.mark.parametrize("case", ["other_municipality", "other_unit", "missing", "anonymous"])
@pytest.mark.usefixtures("units_hold_child_data")
def test_denied_or_missing_is_404_and_writes_nothing(world: World, case: str) -> None:
    from django.contrib.auth.models import AnonymousUser

    intake = world.unit(UnitKind.INTAKE)
    user, lookup = {
        "other_municipality": (world.user(Role.INTAKE, "eksjo"), {"pk": intake.pk}),
        "other_unit": (world.user(Role.PRINCIPAL), {"pk": intake.pk}),
        "missing": (world.user(Role.INTAKE), {"pk": 999_999}),
        "anonymous": (AnonymousUser(), {"pk": intake.pk}),
    }[case]
    with pytest.raises(Http404):
        load(user, ChildUnitPolicy(), **lookup)  # type: ignore[arg-type]
    assert not AccessLog.objects.exists()


def test_a_policy_without_child_data_logs_nothing(world: World) -> None:
    intake = world.unit(UnitKind.INTAKE)
    unit, _ = load(world.user(Role.INTAKE), UnloggedUnitPolicy(), pk=intake.pk)
    assert unit == intake
    assert not AccessLog.objects.exists()
