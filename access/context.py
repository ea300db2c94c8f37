"""Per-request state that services deep inside a request need, without passing the request.

``current_request_id`` is the request id for log rows. ``current_response_flags`` holds a
mutable object the middleware creates for each request: the access log marks it when the
request reads a child's data, and the middleware then forbids caching the response. It is a
mutable object (not a flag in the context variable itself) so that a mark made in a copied
context — a sync view run by ASGI in a thread — still reaches the middleware.
"""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class ResponseFlags:
    """What the current request's response must carry, decided while the view runs."""

    shows_child_data: bool = False


current_request_id: ContextVar[str] = ContextVar("current_request_id", default="")
current_response_flags: ContextVar[ResponseFlags | None] = ContextVar(
    "current_response_flags", default=None
)


def mark_child_data_shown() -> None:
    """Note that the current request reads a child's data (outside a request: nothing to do)."""
    flags = current_response_flags.get()
    if flags is not None:
        flags.shows_child_data = True
