"""The production settings write JSON lines, scrubbed, to standard error; LOG_FORMAT chooses
plain text instead and refuses anything else; the metrics token may come from a file. Each in
a fresh interpreter, as the app processes start."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"SECRET_KEY": "s" * 50, "CHILD_REF_KEY": "c" * 50}
SCRIPT = """
import logging
import django
django.setup()
from django.conf import settings
logging.getLogger("samverkan.check").warning("child %s, %s", "201203159801", "a@b.se")
print(settings.METRICS_TOKEN)
"""


def _start(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings_production",
        **KEYS,
    }
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_writes_json_lines_without_the_number_or_address():
    started = _start()
    assert started.returncode == 0, started.stderr
    entry = json.loads(started.stderr.strip().splitlines()[-1])
    assert entry["logger"] == "samverkan.check"
    assert entry["message"] == "child [identity number], [e-mail]"
    assert entry["request_id"] is None
    assert started.stdout.strip() == ""  # no token configured


def test_plain_on_request_and_a_wrong_format_refused(tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("from-a-file-0123456789\n", encoding="utf-8")
    plain = _start(LOG_FORMAT="plain", METRICS_TOKEN_FILE=str(token_file))
    assert plain.returncode == 0, plain.stderr
    assert plain.stderr.strip().endswith(
        "WARNING samverkan.check [-] child [identity number], [e-mail]"
    )
    assert plain.stdout.strip() == "from-a-file-0123456789"

    wrong = _start(LOG_FORMAT="xml")
    assert wrong.returncode != 0
    assert "LOG_FORMAT must be json or plain, got 'xml'." in wrong.stderr
