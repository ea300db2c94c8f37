"""A line diff between two versions' texts, for people rather than for programs.

The stored text is sanitised HTML. Each block (paragraph, heading, list item, table row,
quotation, line break) becomes one line of plain text; ``difflib`` compares the lines. Long
runs of unchanged lines are folded to a few lines of context on either side.
"""

import difflib
import html
import re
from dataclasses import dataclass

from django.utils.html import strip_tags

from core.sanitize import sanitize_html

# Unchanged lines kept on either side of a change; longer unchanged runs are folded.
CONTEXT_LINES = 2

_BLOCK_END = re.compile(
    r"(<br\s*/?>|</(?:p|h2|h3|h4|li|blockquote|tr|caption|table|ul|ol)>)", re.IGNORECASE
)
_CELL_END = re.compile(r"</t[hd]>", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


def text_lines(stored_html: str) -> list[str]:
    """The plain-text lines of a version's text, one per block, empty lines dropped."""
    # Line breaks in the HTML source are only spaces; the blocks make the lines.
    flat = _SPACE.sub(" ", sanitize_html(stored_html))
    marked = _BLOCK_END.sub(lambda match: match.group(1) + "\n", flat)
    marked = _CELL_END.sub(" | ", marked)
    lines = []
    for raw in marked.split("\n"):
        line = _SPACE.sub(" ", html.unescape(strip_tags(raw))).strip().removesuffix(" |")
        if line:
            lines.append(line)
    return lines


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "removed", "added" or "folded"
    text: str = ""
    folded: int = 0  # for "folded": how many unchanged lines are not shown


@dataclass(frozen=True)
class Diff:
    lines: list[DiffLine]
    added: int
    removed: int

    @property
    def identical(self) -> bool:
        return not self.added and not self.removed


def diff_texts(old_html: str, new_html: str, *, context: int = CONTEXT_LINES) -> Diff:
    old, new = text_lines(old_html), text_lines(new_html)
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    lines: list[DiffLine] = []
    added = removed = 0
    opcodes = matcher.get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            same = old[i1:i2]
            first, last = index == 0, index == len(opcodes) - 1
            keep_head = 0 if first else context
            keep_tail = 0 if last else context
            if len(same) > keep_head + keep_tail + 1:
                lines.extend(DiffLine("same", text) for text in same[:keep_head])
                lines.append(DiffLine("folded", folded=len(same) - keep_head - keep_tail))
                lines.extend(DiffLine("same", text) for text in same[len(same) - keep_tail :])
            else:
                lines.extend(DiffLine("same", text) for text in same)
            continue
        for text in old[i1:i2]:
            lines.append(DiffLine("removed", text))
            removed += 1
        for text in new[j1:j2]:
            lines.append(DiffLine("added", text))
            added += 1
    return Diff(lines=lines, added=added, removed=removed)
