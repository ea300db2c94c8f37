"""Typed helpers that read settings from the environment and fail loudly on bad values.

A value may also come from a file named by ``NAME_FILE`` (Docker/Kubernetes secrets), so
secrets never have to sit in the process environment.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingError(RuntimeError):
    """A setting from the environment has a value we can not use."""


def env_str(name: str, default: str | None = None) -> str:
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise SettingError(f"The environment variable {name} is required.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise SettingError(f"{name} must be a boolean (1/0, true/false), got {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise SettingError(f"{name} must be an integer, got {raw!r}.") from error


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, *, development_value: str | None = None) -> str:
    """A key that must come from the environment (or ``NAME_FILE``).

    ``development_value`` is used when the variable is missing, and only then; pass it only
    in development and the demo (``DEBUG`` or ``DEMO_MODE``), so that a real installation can
    not start on a key everybody can read in this repository.
    """
    value = env_str(name, "")
    if value:
        return value
    if development_value is not None:
        return development_value
    raise ImproperlyConfigured(
        f"The environment variable {name} (or {name}_FILE) must be set: a long random value, "
        "kept secret and stable. Only development (DEBUG=1) and the demo (DEMO_MODE=1) run "
        "without it."
    )
