"""Outside development and the demo the app does not start without SECRET_KEY and
CHILD_REF_KEY, and the child reference never falls back to SECRET_KEY."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from reports.identity import child_ref_for

ROOT = Path(__file__).resolve().parent.parent
KEYS = {"SECRET_KEY": "s" * 50, "CHILD_REF_KEY": "c" * 50}


def _start(settings_module: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``django.setup()`` in a fresh interpreter with only the given variables set."""
    clean = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": settings_module}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("settings_module", ["config.settings", "config.settings_production"])
@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, "SECRET_KEY"),
        ({"CHILD_REF_KEY": "c" * 50}, "SECRET_KEY"),
        ({"SECRET_KEY": "s" * 50}, "CHILD_REF_KEY"),
        ({"SECRET_KEY": "s" * 50, "CHILD_REF_KEY": ""}, "CHILD_REF_KEY"),
    ],
)
def test_starting_without_a_key_fails_clearly(
    settings_module: str, env: dict[str, str], missing: str
) -> None:
    result = _start(settings_module, **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"The environment variable {missing} (or {missing}_FILE) must be set" in result.stderr


@pytest.mark.parametrize("settings_module", ["config.settings", "config.settings_production"])
def test_starting_with_both_keys_works(settings_module: str) -> None:
    result = _start(settings_module, ALLOWED_HOSTS="samverkan.example", **KEYS)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("mode", ["DEBUG", "DEMO_MODE"])
def test_development_and_the_demo_start_without_keys(mode: str) -> None:
    result = _start("config.settings", **{mode: "1"})
    assert result.returncode == 0, result.stderr


def test_production_settings_need_the_keys_even_with_debug_in_the_environment() -> None:
    result = _start("config.settings_production", DEBUG="1", DEMO_MODE="1")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_a_key_may_come_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("f" * 50 + "\n", encoding="utf-8")
    result = _start("config.settings", SECRET_KEY_FILE=str(secret), CHILD_REF_KEY_FILE=str(secret))
    assert result.returncode == 0, result.stderr


def test_the_child_reference_never_falls_back_to_the_secret_key(settings: object) -> None:
    settings.CHILD_REF_KEY = ""  # type: ignore[attr-defined]
    with pytest.raises(ImproperlyConfigured):
        child_ref_for("201203159801")


def test_the_child_reference_does_not_change_with_the_secret_key(settings: object) -> None:
    settings.CHILD_REF_KEY = "c" * 50  # type: ignore[attr-defined]
    settings.SECRET_KEY = "one-" * 20  # type: ignore[attr-defined]
    first = child_ref_for("201203159801")
    settings.SECRET_KEY = "two-" * 20  # type: ignore[attr-defined]
    assert child_ref_for("201203159801") == first
