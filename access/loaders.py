"""Helpers for views and API handlers: load through a policy, 404 alike for "not there" and
"not yours", and write the access log when the object holds an identified child's data."""

from typing import Protocol

from django.db.models import Model
from django.http import Http404, HttpRequest

from access.models import AccessAction
from access.policies import Found, Policy
from access.services import access_log_record
from organisations.models import Municipality


class ChildRecord(Protocol):
    """What an object about a child exposes so that reads of it can be logged."""

    @property
    def access_log_child_ref(self) -> str: ...

    @property
    def access_log_municipality(self) -> Municipality: ...


def get_or_404[M: Model](
    request: HttpRequest,
    policy: Policy[M],
    action: str,
    *,
    log_action: str = AccessAction.VIEW,
    **lookup: object,
) -> M:
    found = policy.find(request.user, action, **lookup)  # type: ignore[arg-type]
    if found is None:
        raise Http404
    if policy.logs_reads:
        log_read(request, found, log_action)
    return found.obj


def log_read(request: HttpRequest, found: Found, log_action: str) -> None:
    obj = found.obj
    access_log_record(
        user=request.user,  # type: ignore[arg-type]
        municipality=obj.access_log_municipality,
        obj=obj,
        child_ref=obj.access_log_child_ref,
        action=log_action,
        rule=found.grant.rule,
        membership=found.grant.membership,
    )
