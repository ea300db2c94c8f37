"""The manifest: what was generated, how to log in, and ids for the benchmark's requests.

The keys are a contract with the benchmark runner (``docs/benchmark.md``): profile, seed,
as_of, content_hash, seconds, counts, password, municipalities (focus_small, focus_large),
users and users_small (role key -> username), samples (ids as the URLs take them) and
totp_secrets (username -> base32 secret) for the accounts that must use two-factor.
"""

import json
from pathlib import Path
from typing import Any

from django.conf import settings

# The role keys the benchmark uses, in the manifest's order.
MANIFEST_ROLES = (
    "intake",
    "teacher",
    "principal",
    "student_health",
    "nurse",
    "coordinator",
    "manager",
    "board",
    "auditor",
    "municipal_admin",
    "sip",
)
SAMPLE_SIZE = 50


def default_path(profile: str, seed: int) -> Path:
    """``var/generate/<profile>-<seed>.json`` under the project's directory."""
    return Path(settings.BASE_DIR) / "var" / "generate" / f"{profile}-{seed}.json"


def write_manifest(manifest: dict[str, Any], path: Path) -> None:
    """Write ``manifest`` as indented JSON (the directory is created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def spread(values: list[Any], count: int = SAMPLE_SIZE) -> list[Any]:
    """Up to ``count`` values taken evenly from ``values`` (old and new alike)."""
    if len(values) <= count:
        return list(values)
    step = len(values) / count
    return [values[int(index * step)] for index in range(count)]
