"""Helpers for views and API handlers: load through a policy, 404 alike for "not there" and
"not yours", and write the access log when the object holds an identified child's data."""

from enum import StrEnum
from typing import Protocol

from django.db.models import Model
from django.http import Http404, HttpRequest

from access.models import AccessAction
from access.policies import Permit, Policy, access_log_submit
from access.services import AccessLogEntry


class ChildRecord(Protocol):
    """What an object about a child exposes so that reads of it can be logged."""

    @property
    def access_log_child_ref(self) -> str: ...

    @property
    def access_log_municipality_id(self) -> int: ...


def permit_or_404[M: Model, A: StrEnum](
    request: HttpRequest,
    policy: Policy[M, A],
    action: A,
    *,
    log_action: str = AccessAction.VIEW,
    **lookup: object,
) -> Permit[M]:
    """The permit for one object, or a 404 for "missing" and "not yours" alike. A read of a
    child-data object is written to the access log before the permit is handed out."""
    permit = policy.find(request.user, action, **lookup)  # type: ignore[arg-type]
    if permit is None:
        raise Http404
    if policy.logs_reads:
        log_read(request, permit, log_action)
    return permit


def get_or_404[M: Model, A: StrEnum](
    request: HttpRequest,
    policy: Policy[M, A],
    action: A,
    *,
    log_action: str = AccessAction.VIEW,
    **lookup: object,
) -> M:
    return permit_or_404(request, policy, action, log_action=log_action, **lookup).obj


def log_read(
    request: HttpRequest, permit: Permit, log_action: str, obj: Model | None = None
) -> None:
    """Log one read allowed by ``permit`` (of ``obj`` when the page shows a fuller copy of
    the permitted object, loaded after the check). ``request`` names the reader; it must be
    the permit's user."""
    if request.user != permit.user:
        raise TypeError("A permit is logged for the user it was made for.")
    shown = obj if obj is not None else permit.obj
    entry = AccessLogEntry(
        obj=shown,
        municipality_id=shown.access_log_municipality_id,  # type: ignore[union-attr]
        child_ref=shown.access_log_child_ref,  # type: ignore[union-attr]
        rule=permit.logged_rule,
        membership=permit.grant.membership,
    )
    access_log_submit(permit.user, log_action, [entry])
