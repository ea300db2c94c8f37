"""The Swedish translation is complete and the compiled catalogue matches it."""

import gettext
import re
from pathlib import Path
from typing import Any

from django.conf import settings

PO_FILE = Path(settings.BASE_DIR) / "locale" / "sv" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")

_ENTRY = re.compile(
    r"(?P<flags>(?:#,[^\n]*\n)?)(?:#[^\n]*\n)*"
    r'(?:msgctxt (?P<ctx>"[^\n]*"\n(?:"[^\n]*"\n)*))?'
    r'msgid (?P<id>"[^\n]*"\n(?:"[^\n]*"\n)*)'
    r'(?:msgid_plural (?P<plural>"[^\n]*"\n(?:"[^\n]*"\n)*))?'
    r'(?P<strs>(?:msgstr(?:\[\d\])? "[^\n]*"\n(?:"[^\n]*"\n)*)+)'
)


def _join(quoted: str) -> str:
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', quoted)
    return "".join(parts).encode("utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")


def _entries() -> list[dict[str, Any]]:
    text = PO_FILE.read_text(encoding="utf-8") + "\n"
    entries = []
    for match in _ENTRY.finditer(text):
        msgid = _join(match["id"])
        if not msgid:
            continue  # the header
        strs = re.findall(r'msgstr(?:\[\d\])? ((?:"[^\n]*"\n)+)', match["strs"])
        entries.append(
            {
                "id": msgid,
                "ctx": _join(match["ctx"]) if match["ctx"] else "",
                "plural": _join(match["plural"]) if match["plural"] else "",
                "fuzzy": "fuzzy" in match["flags"],
                "strs": [_join(value) for value in strs],
            }
        )
    return entries


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = _entries()
    assert len(entries) > 100
    missing = [entry["id"] for entry in entries if not all(entry["strs"])]
    fuzzy = [entry["id"] for entry in entries if entry["fuzzy"]]
    assert not missing, f"untranslated: {missing[:20]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:20]}"


def test_compiled_catalogue_matches_the_po_file():
    with MO_FILE.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    stale = []
    for entry in _entries():
        if entry["plural"] or entry["ctx"]:
            continue
        if catalogue.gettext(entry["id"]) != entry["strs"][0]:
            stale.append(entry["id"])
    assert not stale, f"run compilemessages; stale: {stale[:10]}"
