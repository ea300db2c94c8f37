"""Dates and times written for a list of rows, as Django's ``date`` filter writes them.

Django's ``date_format`` interprets its format string anew for every value (~22 µs): the
intake's inbox writes ~90 of them on every view. Here a format is interpreted once per day
shown, and the hour and minute are put in per value. A format with anything else in its time
(a.m./p.m., seconds, 12-hour clocks: English) is written by ``date_format`` value by value.
"""

import datetime
from collections.abc import Callable

from django.utils import formats, timezone

Filler = Callable[[datetime.datetime], str]

# The time specifiers put in per value; the rest of a format depends on the day only.
_TIME: dict[str, Filler] = {
    "H": lambda moment: f"{moment.hour:02d}",
    "G": lambda moment: str(moment.hour),
    "i": lambda moment: f"{moment.minute:02d}",
}
_OTHER_TIME = frozenset("aABcefghIOPrsTuUvZ")
_MARKS = ("\x01", "\x02", "\x03", "\x04")


class DateTimeWriter:
    """``DateTimeWriter("SHORT_DATETIME_FORMAT")(value)``: the value in the current time zone,
    in the active language's format, as ``date_format(localtime(value), format)`` gives it.
    Make one per list: it keeps what it wrote for each day."""

    def __init__(self, format_name: str) -> None:
        self.format = formats.get_format(format_name)
        self.zone = timezone.get_current_timezone()
        self._days: dict[datetime.date, str] = {}
        self._marked, self._fillers = _split(self.format)

    def __call__(self, value: datetime.datetime) -> str:
        moment = value.astimezone(self.zone)
        if self._marked is None:
            return formats.date_format(moment, self.format)
        day = moment.date()
        written = self._days.get(day)
        if written is None:
            written = formats.date_format(moment, self._marked)
            self._days[day] = written
        for mark, filler in self._fillers:
            written = written.replace(mark, filler(moment))
        return written


def _split(format_string: str) -> tuple[str | None, list[tuple[str, Filler]]]:
    """The format with each hour and minute specifier escaped as a mark (Django's backslash),
    and what fills each mark; ``None`` when the format has other time specifiers."""
    parts: list[str] = []
    fillers: list[tuple[str, Filler]] = []
    escaped = False
    for char in format_string:
        if escaped:
            parts.append("\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in _TIME:
            if len(fillers) == len(_MARKS):
                return None, []
            mark = _MARKS[len(fillers)]
            fillers.append((mark, _TIME[char]))
            parts.append("\\" + mark)
        elif char in _OTHER_TIME:
            return None, []
        else:
            parts.append(char)
    return "".join(parts), fillers
