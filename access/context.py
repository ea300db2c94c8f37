"""The request id of the current request, for log rows written deep inside services."""

from contextvars import ContextVar

current_request_id: ContextVar[str] = ContextVar("current_request_id", default="")
