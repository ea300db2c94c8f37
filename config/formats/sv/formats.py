"""Swedish dates as the staff write them: "14 aug. 2026", "tis 15 sep.", one style on every
page (the month abbreviations with their full stop are in the root locale's "abbrev. month"
entries). Date fields keep Django's ISO input ("2026-08-14"), which is what the browser's date
picker sends."""

# Non-breaking spaces inside a date: "14 aug. 2026" never breaks over two lines, in a table
# cell or in a sentence; a date and time may break after the comma.
DATE_FORMAT = "j\xa0N\xa0Y"
DATETIME_FORMAT = "j\xa0N\xa0Y, H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
MONTH_DAY_FORMAT = "j\xa0N"
YEAR_MONTH_FORMAT = "F Y"
TIME_FORMAT = "H:i"
FIRST_DAY_OF_WEEK = 1
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # a non-breaking space: "1 299" never breaks across lines
NUMBER_GROUPING = 3
