import datetime

from organisations.calendar import swedish_holidays


def test_de_facto_holidays_are_included():
    days = swedish_holidays(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    assert days[datetime.date(2026, 6, 19)] == "Midsommarafton"
    assert days[datetime.date(2026, 12, 24)] == "Julafton"
    assert days[datetime.date(2026, 12, 31)] == "Nyårsafton"
    assert days[datetime.date(2026, 6, 20)] == "Midsommardagen"
    assert days[datetime.date(2026, 6, 6)] == "Nationaldagen"


def test_ordinary_sundays_are_not_listed_but_sunday_holidays_are():
    days = swedish_holidays(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    assert datetime.date(2026, 6, 7) not in days  # an ordinary Sunday
    assert datetime.date(2026, 3, 1) not in days
    assert days[datetime.date(2026, 4, 5)] == "Påskdagen"
    assert len(days) == 16


def test_bank_and_optional_days_are_left_out():
    days = swedish_holidays(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    assert datetime.date(2026, 4, 30) not in days  # Valborgsmässoafton
    assert datetime.date(2026, 4, 4) not in days  # Påskafton


def test_the_range_is_inclusive_and_spans_years():
    days = swedish_holidays(datetime.date(2026, 12, 24), datetime.date(2027, 1, 6))
    assert list(days) == [
        datetime.date(2026, 12, 24),
        datetime.date(2026, 12, 25),
        datetime.date(2026, 12, 26),
        datetime.date(2026, 12, 31),
        datetime.date(2027, 1, 1),
        datetime.date(2027, 1, 6),
    ]


def test_an_empty_or_reversed_range_has_no_holidays():
    assert swedish_holidays(datetime.date(2026, 3, 2), datetime.date(2026, 3, 20)) == {}
    assert swedish_holidays(datetime.date(2026, 12, 31), datetime.date(2026, 1, 1)) == {}


def test_names_in_english():
    days = swedish_holidays(datetime.date(2026, 6, 19), datetime.date(2026, 6, 19), language="en")
    assert days == {datetime.date(2026, 6, 19): "Midsummer Eve"}
    fallback = swedish_holidays(
        datetime.date(2026, 6, 19), datetime.date(2026, 6, 19), language="de"
    )
    assert fallback == {datetime.date(2026, 6, 19): "Midsommarafton"}
