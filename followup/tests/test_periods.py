"""Month labels: remembered, and in the language of the page."""

import datetime

from django.utils import translation
from django.utils.formats import date_format

from followup.periods import month_label


def test_a_month_label_follows_the_active_language():
    month = datetime.date(2026, 3, 1)
    with translation.override("sv"):
        assert month_label(month) == "mars 2026"
        assert month_label(month, "M") == date_format(month, "M")
    with translation.override("en"):
        assert month_label(month) == "March 2026"
    with translation.override("sv"):
        assert month_label(month) == "mars 2026"  # remembered per language, not once
