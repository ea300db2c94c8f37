"""The generator's profiles: how big each installation is (PERFORMANCE.md, "Workload").

A profile gives totals for the installation; :func:`municipality_shares` splits them between
the municipalities with Zipf-like sizes, so that the national profile has a few large
municipalities, many small ones, and one with about 8 % of all reports.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    """Totals of one generated installation. ``access_log_rows`` covers the last
    ``access_log_days`` only: the 10-year log is far too big to generate (PERFORMANCE.md)."""

    name: str
    municipalities: int
    school_units: int
    users: int
    reports: int
    years: int
    access_log_rows: int
    access_log_days: int
    # The largest municipality's share of the reports (only used with several municipalities).
    largest_share: float = 0.08
    # Reports in the municipality that should look like Leksand (``focus_small``).
    small_reports: int = 10_000
    # SIPs, network meetings and survey answers per report (PERFORMANCE.md's ratios).
    sips_per_report: float = 0.03
    meetings_per_sip: float = 4.0
    survey_responses_per_report: float = 0.5


PROFILES: dict[str, Profile] = {
    # For tests: a few municipalities, a few hundred reports, seconds on SQLite.
    "tiny": Profile(
        name="tiny",
        municipalities=3,
        school_units=9,
        users=90,
        reports=600,
        years=2,
        access_log_rows=2_000,
        access_log_days=30,
        small_reports=100,
        largest_share=0.6,
    ),
    "leksand": Profile(
        name="leksand",
        municipalities=1,
        school_units=10,
        users=300,
        reports=10_000,
        years=10,
        # 2M rows in 10 years; the last 3 months of them.
        access_log_rows=50_000,
        access_log_days=91,
    ),
    "goteborg": Profile(
        name="goteborg",
        municipalities=1,
        school_units=250,
        users=10_000,
        reports=300_000,
        years=10,
        access_log_rows=1_900_000,
        access_log_days=91,
    ),
    "national": Profile(
        name="national",
        municipalities=290,
        school_units=6_000,
        users=200_000,
        reports=7_000_000,
        years=10,
        # 1.5 billion rows in 10 years; 3 months of them.
        access_log_rows=37_500_000,
        access_log_days=91,
    ),
}


def _shares(count: int, exponent: float) -> list[float]:
    weights = [1.0 / (rank + 1) ** exponent for rank in range(count)]
    total = sum(weights)
    return [weight / total for weight in weights]


def municipality_shares(count: int, largest_share: float) -> list[float]:
    """Shares of the reports per municipality, largest first, summing to 1: a Zipf law
    ``1 / rank**s`` whose exponent is found by bisection so that the largest gets
    ``largest_share`` (pure arithmetic, so the same for every run)."""
    if count == 1:
        return [1.0]
    low, high = 0.0, 4.0
    for _step in range(60):
        middle = (low + high) / 2
        if _shares(count, middle)[0] < largest_share:
            low = middle
        else:
            high = middle
    return _shares(count, (low + high) / 2)
