"""core.datetimes.DateTimeWriter writes what Django's date filter writes: held to
``date_format(localtime(value), format)`` over two years of times (the changes to and from
summer time included), in both languages and for formats it writes itself or hands on."""

import datetime
import zoneinfo

import pytest
from django.utils import formats, timezone, translation

from core.datetimes import DateTimeWriter

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


def moments() -> list[datetime.datetime]:
    start = datetime.datetime(2025, 1, 1, 0, 7, tzinfo=datetime.UTC)
    # Every 97 minutes for two years: every hour of the day, midnight and the DST changes.
    return [start + datetime.timedelta(minutes=97 * step) for step in range(0, 10900)]


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize(
    "format_name", ["SHORT_DATETIME_FORMAT", "DATETIME_FORMAT", "TIME_FORMAT", "DATE_FORMAT"]
)
def test_the_writer_writes_what_date_format_writes(language: str, format_name: str) -> None:
    with translation.override(language), timezone.override(STOCKHOLM):
        writer = DateTimeWriter(format_name)
        wanted = formats.get_format(format_name)
        for moment in moments():
            assert writer(moment) == formats.date_format(timezone.localtime(moment), wanted)


@pytest.mark.parametrize(
    "format_string",
    ["j\\xa0N\\xa0Y, H:i", "Y-m-d G:i", "\\H\\i: H.i d/m", "m/d/Y P", "H:i:s", "D j M, g a"],
)
def test_formats_it_writes_itself_or_hands_on(format_string: str, settings) -> None:
    format_string = format_string.replace("\\xa0", "\xa0")
    settings.SHORT_DATETIME_FORMAT = format_string
    with translation.override(None), timezone.override(STOCKHOLM):
        writer = DateTimeWriter("SHORT_DATETIME_FORMAT")
        for moment in moments()[::7]:
            written = writer(moment)
            assert written == formats.date_format(timezone.localtime(moment), format_string)
