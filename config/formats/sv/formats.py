"""Swedish dates as the staff write them: "14 aug. 2026", "tis 15 sep.", one style on every
page (the month abbreviations with their full stop are in the root locale's "abbrev. month"
entries). Date fields keep Django's ISO input ("2026-08-14"), which is what the browser's date
picker sends."""

DATE_FORMAT = "j N Y"
DATETIME_FORMAT = "j N Y, H:i"
SHORT_DATE_FORMAT = "j N Y"
SHORT_DATETIME_FORMAT = "j N Y, H:i"
MONTH_DAY_FORMAT = "j N"
YEAR_MONTH_FORMAT = "F Y"
TIME_FORMAT = "H:i"
FIRST_DAY_OF_WEEK = 1
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # a non-breaking space: "1 299" never breaks across lines
NUMBER_GROUPING = 3
