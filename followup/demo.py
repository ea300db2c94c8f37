"""Demo data of the follow-up: national reference values, Leksand's consent to be named in
comparisons, and the summary tables built from the other apps' demo data."""

import datetime
from decimal import Decimal

from followup import board_demo
from followup.models import ComparisonConsent, ReferenceValue
from followup.rollups import rebuild
from organisations.models import Municipality
from reports import demo_history

# Public national figures (LAW.md, "Numbers for realistic data and indicators").
REFERENCE_VALUES = [
    (
        "led_to_investigation",
        2018,
        Decimal(38),
        "Socialstyrelsen: 331 000 orosanmälningar 2018, 38 procent ledde till utredning",
    ),
]


def load(*, today: datetime.date) -> None:
    for key, year, value, source in REFERENCE_VALUES:
        ReferenceValue.objects.update_or_create(
            indicator_key=key, year=year, defaults={"value": value, "source": source}
        )
    leksand = Municipality.objects.filter(code="2029").first()
    if leksand is not None:
        ComparisonConsent.objects.update_or_create(municipality=leksand, defaults={"named": True})
    # A finished year of reports first, so that last year's board report has numbers.
    demo_history.load(today=today)
    rebuild()
    board_demo.load(today=today)
