"""What every plan page shares: loading the plan through the policy (a former party gets the
"your access ended" page on every plan route, everybody else without a grant a 404), and the
guard that lets a double-posted create form make one record."""

import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from access.loaders import log_read
from access.models import AccessAction
from access.policies import Permit
from organisations.models import User
from sip import selectors
from sip.models import Plan
from sip.policies import SipAction, plan_policy


class AccessEnded(Exception):
    """The user was a party to the plan; the consent that let them see it has ended."""

    def __init__(self, plan: Plan) -> None:
        super().__init__()
        self.plan = plan


def user_of(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def load_plan(
    request: HttpRequest, public_id: uuid.UUID, action: SipAction, *, log: bool = True
) -> Permit[Plan]:
    """The permit for the plan, logged as a read when ``log``. A former party (no ``VIEW``,
    an ``ENDED`` grant) raises :class:`AccessEnded`; anyone else without the grant gets a 404."""
    user = user_of(request)
    permit = plan_policy.find(user, action, public_id=public_id)
    if permit is None:
        if plan_policy.find(user, SipAction.VIEW, public_id=public_id) is None:
            former = plan_policy.find(user, SipAction.ENDED, public_id=public_id)
            if former is not None:
                raise AccessEnded(former.obj)
        raise Http404
    if log:
        log_read(request, permit, AccessAction.VIEW)
    return permit


def ended_page(request: HttpRequest, plan: Plan) -> HttpResponse:
    """Only the day the access ended and why: nothing of the plan, and nothing logged."""
    ended = selectors.access_ended(user_of(request), plan)
    return render(request, "sip/access_ended.html", {"ended": ended})


def plan_route[**P](
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Wrap a plan view so that :class:`AccessEnded` shows the ended page."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except AccessEnded as ended:
            return ended_page(request, ended.plan)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


# --- one record per form ----------------------------------------------------------------------

_ONCE_SECONDS = 60 * 60
_PENDING = "pending"


def _once_cache_key(user: User, purpose: str, key: uuid.UUID) -> str:
    return f"sip:once:{purpose}:{user.pk}:{key}"


def once_claim(user: User, purpose: str, key: uuid.UUID) -> str | None:
    """Claim the form's key. ``None`` when this post is the first; otherwise what the first
    post recorded (a ``public_id`` or an id as text; ``"pending"`` while it is still running)."""
    cache_key = _once_cache_key(user, purpose, key)
    if cache.add(cache_key, _PENDING, _ONCE_SECONDS):
        return None
    found = cache.get(cache_key)
    return str(found) if found is not None else _PENDING


def once_done(user: User, purpose: str, key: uuid.UUID, result: str) -> None:
    cache.set(_once_cache_key(user, purpose, key), result, _ONCE_SECONDS)


def once_release(user: User, purpose: str, key: uuid.UUID) -> None:
    """The first post failed (a form error): the next post of the key may try again."""
    cache.delete(_once_cache_key(user, purpose, key))


def is_pending(result: str | None) -> bool:
    return result == _PENDING
