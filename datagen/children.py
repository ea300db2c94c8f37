"""The children reports are about: identity numbers, names and when they are reported.

Identity numbers are Skatteverket-style test numbers only (birth numbers 980–999, plain or
samordningsnummer; ``core.personnummer.make_test_identity_number``), so no generated number can
be a real person's. That gives a pool of about 380,000 numbers over 26 birth years. Children
of one municipality take distinct numbers from the pool through a permutation; the largest
national municipality needs fewer than that. Children of different municipalities may share a
number: read it as a child who moved.

A child is reported in an "episode" of about a year and a half, about three times in all, so a
reported child gets about two reports a year (PERFORMANCE.md).
"""

import datetime
import random
from dataclasses import dataclass

from core.personnummer import make_test_identity_number
from datagen import names
from datagen.timeline import DaySampler
from reports.identity import child_ref_for

_SERIALS = 20  # 980–999
_PER_DAY = _SERIALS * 2  # plain numbers and samordningsnummer
_BIRTH_DAYS = 26 * 365
POOL = _BIRTH_DAYS * _PER_DAY
_STRIDE = 7919  # prime, and prime to POOL: index * stride is a permutation of the pool
EPISODE_DAYS = 540


@dataclass(frozen=True)
class Child:
    """One child: the identity number, the pseudonymous reference and the name."""

    identity_number: str
    child_ref: str
    first_name: str
    last_name: str
    birth_date: datetime.date


def child_of(pool_index: int, as_of: datetime.date) -> Child:
    """The child at ``pool_index`` of the pool (the same child for the same index)."""
    day, rest = divmod(pool_index % POOL, _PER_DAY)
    coordination, serial = divmod(rest, _SERIALS)
    birth = as_of - datetime.timedelta(days=366 + day)
    number = make_test_identity_number(birth, 980 + serial, coordination=bool(coordination))
    return Child(
        identity_number=number.digits,
        child_ref=child_ref_for(number.digits),
        first_name=names.FIRST_NAMES[pool_index % len(names.FIRST_NAMES)],
        last_name=names.LAST_NAMES[(pool_index // 7) % len(names.LAST_NAMES)],
        birth_date=birth,
    )


def pool_index(municipality_index: int, child_number: int) -> int:
    """Distinct pool indexes for the children (numbered from 0) of one municipality."""
    return (child_number * _STRIDE + municipality_index * 104_729) % POOL


def plan_arrivals(
    rng: random.Random, *, municipality_index: int, reports: int, sampler: DaySampler
) -> list[int]:
    """The days of ``reports`` reports, grouped in children's episodes: a sorted list of
    ``day_index << 22 | child_number`` (compact: national data has seven million)."""
    keys: list[int] = []
    child_number = 0
    as_of = sampler.days[-1] + datetime.timedelta(days=1)
    while len(keys) < reports:
        birth = as_of - datetime.timedelta(
            days=366 + (pool_index(municipality_index, child_number) % POOL) // _PER_DAY
        )
        # Reported between one month and eighteen years of age, within the generated years.
        low = sampler.index_of(birth + datetime.timedelta(days=30))
        oldest = sampler.index_of(birth + datetime.timedelta(days=18 * 365 - EPISODE_DAYS))
        start = sampler.draw(rng, low, max(low, oldest))
        end = min(start + EPISODE_DAYS, len(sampler.days) - 1)
        count = 1 + int(rng.expovariate(1 / 2.5))
        for _report in range(min(count, reports - len(keys))):
            keys.append(sampler.draw(rng, start, end) << 22 | child_number)
        child_number += 1
    keys.sort()
    return keys
