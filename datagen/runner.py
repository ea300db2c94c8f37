"""One generator run: plan the municipalities, write every table, rebuild the summaries.

Deterministic: every stream of random numbers is its own ``random.Random`` seeded from the
seed and the stream's name, every time is anchored at ``as_of``, every id is given explicitly
and the one password hash is made with a fixed salt. The same profile, seed and ``as_of`` (and
the same ``CHILD_REF_KEY``, which the child references are keyed with) give the same content
hash.
"""

import base64
import datetime
import hashlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from django.contrib.auth.hashers import make_password
from django.db import connection

from access.models import AccessLog
from access.partitions import ensure_partitions
from core.security import ROLES_REQUIRING_TWO_FACTOR
from datagen.access_log import write_access_log
from datagen.governance import GovernanceWriter
from datagen.loader import Loader
from datagen.manifest import MANIFEST_ROLES, spread
from datagen.names import municipality_name
from datagen.organisations import OrganisationWriter, Place
from datagen.profiles import PROFILES, Profile, municipality_shares
from datagen.reports import ReportWriter
from datagen.wheel import WheelWriter
from followup.models import Rollup
from followup.rollups import rebuild
from organisations.followup_stamp import followup_restamp_all
from organisations.models import Municipality
from reports.models import CaseAssignment, ConcernReport, ConcernReportCategory

PASSWORD = "samverkan-benchmark-2026"  # noqa: S105 - generated test data only, in the manifest
_PASSWORD_SALT = "datagen0fixedsalt"  # noqa: S105 - one hash for every account: deterministic and fast
# The roles whose users author reports: authoring triggers two-factor (reports.apps).
_AUTHOR_KEYS = frozenset({"teacher", "principal", "student_health", "nurse"})
# The single-municipality profiles borrow a real name and code for orientation.
_NAMED = {"leksand": ("Leksand", "2029", "leksand"), "goteborg": ("Göteborg", "1480", "goteborg")}


class DatabaseNotEmptyError(RuntimeError):
    """The database already holds municipalities: generated data must not mix with other."""


@dataclass(frozen=True)
class Options:
    """What to generate: the profile's name, the seed and the day the data ends."""

    profile: str
    seed: int
    as_of: datetime.date
    rollups: bool = True


def refuse_if_not_empty() -> None:
    """Raise :class:`DatabaseNotEmptyError` (in Swedish and English) when there is data."""
    if Municipality.objects.exists():
        # Both languages in one message, not gettext: an operator's tool, and a msgid that
        # is already Swedish would stand untranslated in the catalogue.
        raise DatabaseNotEmptyError(
            "Databasen innehåller redan kommuner; generera bara till en tom databas "
            "(skapa en ny och kör migrate). / The database already holds municipalities; "
            "generate only into an empty database (create a new one and run migrate)."
        )


def plan_places(profile: Profile, loader: Loader) -> list[Place]:
    """Every municipality's size: Zipf-like shares of reports, schools and users."""
    shares = municipality_shares(profile.municipalities, profile.largest_share)
    ids = loader.next_ids(Municipality, profile.municipalities)
    places = []
    for index, share in enumerate(shares):
        if profile.name in _NAMED:
            name, _code, slug = _NAMED[profile.name]
        else:
            name, slug = municipality_name(index), f"m{index + 1:03d}"
        places.append(
            Place(
                index=index,
                id=ids[index],
                name=name,
                slug=slug,
                reports=max(30, round(profile.reports * share)),
                school_count=max(2, round(profile.school_units * share)),
                user_count=max(30, round(profile.users * share)),
            )
        )
    return places


def _code(profile: Profile, place: Place) -> str:
    return _NAMED[profile.name][1] if profile.name in _NAMED else f"{place.index + 1:04d}"


def focus_places(profile: Profile, places: list[Place]) -> tuple[Place, Place]:
    """The largest municipality and the one nearest Leksand's size (the largest itself when
    there is only one)."""
    large = places[0]
    others = places[1:] or places
    small = min(others, key=lambda place: (abs(place.reports - profile.small_reports), place.index))
    return small, large


def manifest_users(place: Place) -> dict[str, str]:
    """The first user of each manifest role key; the teacher is the heavy author."""
    users = {key: place.usernames[place.staff[key][0]] for key in MANIFEST_ROLES}
    users["teacher"] = place.usernames[place.teachers_by_school[0][0]]
    users["principal"] = place.usernames[place.principal_by_school[0]]
    return users


def totp_secret(seed: int) -> str:
    """The one base32 TOTP secret of the generated accounts that must use two-factor."""
    digest = hashlib.sha256(f"datagen:{seed}:totp".encode()).digest()[:20]
    return base64.b32encode(digest).decode()


def _write_authenticators(
    loader: Loader, places: list[Place], wanted: dict[str, str], secret: str, moment: Any
) -> dict[str, str]:
    by_name = {
        name: (place, user_id) for place in places for user_id, name in place.usernames.items()
    }
    table = loader.table(
        Authenticator, ["id", "user_id", "type", "data", "created_at", "last_used_at"]
    )
    secrets: dict[str, str] = {}
    for key, username in sorted(wanted.items(), key=lambda item: item[1]):
        place, user_id = by_name[username]
        role = place.membership_of[user_id][0]
        role_key = key.split("/")[-1]
        if role not in ROLES_REQUIRING_TWO_FACTOR and role_key not in _AUTHOR_KEYS:
            continue
        if username in secrets:
            continue
        table.add(
            (
                loader.next_id(Authenticator),
                user_id,
                Authenticator.Type.TOTP,
                {"secret": encrypt(secret)},
                moment,
                None,
            )
        )
        secrets[username] = secret
    return secrets


def generate(options: Options, log: Callable[[str], None] = lambda _line: None) -> dict[str, Any]:
    """Generate ``options.profile`` into the (empty) database; returns the manifest."""
    started = time.monotonic()
    refuse_if_not_empty()
    profile = PROFILES[options.profile]
    loader = Loader()
    places = plan_places(profile, loader)
    small, large = focus_places(profile, places)
    password = make_password(PASSWORD, salt=_PASSWORD_SALT)
    orgs = OrganisationWriter(loader, as_of=options.as_of, years=profile.years, password=password)
    for place in places:
        orgs.write(random.Random(f"{options.seed}:org:{place.index}"), place, _code(profile, place))
    loader.flush()
    log(f"organisations: {len(places)} municipalities ({time.monotonic() - started:.1f} s)")
    users, users_small = manifest_users(large), manifest_users(small)
    secret = totp_secret(options.seed)
    wanted = {f"large/{k}": v for k, v in users.items()} | {
        f"small/{k}": v for k, v in users_small.items()
    }
    midnight = datetime.datetime.combine(options.as_of, datetime.time(), tzinfo=datetime.UTC)
    secrets = _write_authenticators(loader, places, wanted, secret, midnight)

    governance = GovernanceWriter(loader, [orgs.users, orgs.units], as_of=options.as_of)
    for place in places:
        governance.write(random.Random(f"{options.seed}:governance:{place.index}"), place)
    wheel = WheelWriter(loader, [governance.documents], as_of=options.as_of)
    for place in places:
        wheel.write(random.Random(f"{options.seed}:wheel:{place.index}"), place)
    log(f"governance documents and the annual wheel ({time.monotonic() - started:.1f} s)")

    # PostgreSQL: the log's months from the first generated day, before any row is written,
    # so that no row lands in the default partition (access/partitions.py).
    ensure_partitions(first_month=options.as_of - datetime.timedelta(days=profile.access_log_days))
    loader.defer_indexes([ConcernReport, ConcernReportCategory, CaseAssignment, AccessLog])
    reports = ReportWriter(
        loader,
        as_of=options.as_of,
        years=profile.years,
        recent_days=profile.access_log_days + 60,
        org_tables=[orgs.users, orgs.units, orgs.memberships],
    )
    reports.write(places, options.seed, log)
    log(f"reports: {reports.reports.count} ({time.monotonic() - started:.1f} s)")
    write_access_log(
        loader,
        [reports.reports],
        places,
        reports.seen,
        seed=options.seed,
        as_of=options.as_of,
        days=profile.access_log_days,
        rows=profile.access_log_rows,
    )
    log(f"access log ({time.monotonic() - started:.1f} s)")
    loader.finish()
    # Loaded without the models' signals: every municipality gets a new follow-up stamp, so no
    # dashboard kept in the shared cache from an earlier database is taken for this one's.
    followup_restamp_all()
    counts = loader.counts()
    if options.rollups:
        # The app's own rebuild, at the generated world's "now", so the summaries are what
        # the follow-up would have kept. Not part of the content hash: the app writes them.
        rebuild(now=reports.now)
        counts[Rollup._meta.label] = Rollup.objects.count()
        log(f"summary tables rebuilt ({time.monotonic() - started:.1f} s)")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f'ANALYZE "{Rollup._meta.db_table}"')
    seen_large = reports.seen.get(large.id)
    samples: dict[str, list[Any]] = {
        "report_open": spread([str(value) for value in seen_large.open]) if seen_large else [],
        "report_closed": spread([str(value) for value in seen_large.closed]) if seen_large else [],
        "report_by_teacher": spread([str(value) for value in seen_large.by_teacher])
        if seen_large
        else [],
        # Not generated yet (see docs/benchmark.md): empty lists keep the contract's keys.
        "sip": [],
        "governance_document": governance.ids.get(large.id, []),
        "wheel_occurrence": spread(wheel.ids.get(large.id, [])),
        "survey_round": [],
    }
    return {
        "profile": profile.name,
        "seed": options.seed,
        "as_of": options.as_of.isoformat(),
        "content_hash": loader.content_hash(),
        "seconds": round(time.monotonic() - started, 1),
        "counts": dict(sorted(counts.items())),
        "password": PASSWORD,
        "municipalities": {"focus_small": small.id, "focus_large": large.id},
        "users": users,
        "users_small": users_small,
        "samples": samples,
        "totp_secrets": secrets,
    }
