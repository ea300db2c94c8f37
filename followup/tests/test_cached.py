"""The dashboard kept in the shared cache (followup/cached.py): the page is the same whether its
parts were computed or kept, and every change to what the dashboard reads renews the
municipality's follow-up stamp in the same transaction, so that a kept dashboard is never
shown after a change (organisations/followup_stamp.py, followup/stamps.py)."""

import datetime
import pickle
import re
import uuid
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from audits import services as audit_services
from audits.tests import builders as audit_builders
from followup import rollups
from followup.cached import compute_parts, dashboard_parts
from followup.models import ComparisonConsent, IndicatorTarget, ReferenceValue, RollupSource
from followup.periods import month_period
from followup.tests.conftest import NOW
from governance.models import Measure
from governance.tests import builders as governance_builders
from organisations.followup_stamp import followup_restamp
from organisations.models import Municipality, Role, Unit, UnitKind
from reports.tests.builders import submitted

MARCH = month_period(datetime.date(2026, 3, 1))
URL = reverse("followup:dashboard") + "?period=month&month=2026-03"
QUERY = {"period": "month", "month": "2026-03"}


def _stamps(world) -> tuple[int, int]:
    stamps = dict(Municipality.objects.values_list("pk", "followup_stamp"))
    return stamps[world.municipality().pk], stamps[world.municipality("eksjo").pk]


def _main(response) -> str:
    """The page's main content, without what changes with every request (the CSP nonce)."""
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r'nonce="[^"]*"', "", main)


def test_the_page_is_the_same_kept_or_computed(client, march):
    client.force_login(march.user(Role.COORDINATOR))
    client.get(URL)
    followup_restamp([march.municipality().pk])
    computed = client.get(URL)
    kept = client.get(URL)
    assert computed.status_code == kept.status_code == 200
    assert _main(kept) == _main(computed)
    assert "Follow-up of" in _main(kept)
    assert "trend-reports" in _main(kept)


def test_the_parts_survive_pickling_whole(march):
    parts = compute_parts(march.municipality(), MARCH, today=NOW.date())
    again = pickle.loads(pickle.dumps(parts))  # noqa: S301 - our own object
    assert again.dash.values.keys() == parts.dash.values.keys()
    for key, shown in parts.dash.values.items():
        assert again.dash.values[key].text == shown.text
        assert again.dash.values[key].indicator is shown.indicator  # the catalogue's own
    assert [str(svg) for _t, svg, _r in again.charts] == [str(svg) for _t, svg, _r in parts.charts]
    assert again.compared.keys() == parts.compared.keys()


def test_kept_parts_are_used_until_the_stamp_changes(march, django_assert_num_queries):
    municipality = march.municipality()
    first = dashboard_parts(municipality, MARCH, today=NOW.date())
    with django_assert_num_queries(1):  # the stamps
        kept = dashboard_parts(municipality, MARCH, today=NOW.date())
    assert kept.dash.values.keys() == first.dash.values.keys()
    # Another day or another language is another entry.
    with django_assert_num_queries(11):  # the stamps, the dashboard's and comparison's
        dashboard_parts(municipality, MARCH, today=NOW.date() + datetime.timedelta(days=1))
    other = "en" if translation.get_language() == "sv" else "sv"
    with translation.override(other), django_assert_num_queries(11):
        translated = dashboard_parts(municipality, MARCH, today=NOW.date())
    assert translated.charts[0][0].title != first.charts[0][0].title


def test_a_target_set_is_on_the_next_page(client, march):
    client.force_login(march.user(Role.COORDINATOR))
    before = client.get(URL).context["dash"].targets["feedback_on_time"]
    IndicatorTarget.objects.update_or_create(
        municipality=march.municipality(),
        indicator_key="feedback_on_time",
        defaults={"target": Decimal("42")},
    )
    after = client.get(URL).context["dash"].targets["feedback_on_time"]
    assert before != Decimal("42")
    assert after == Decimal("42")


def test_a_new_report_is_on_the_next_page_once_the_summary_tables_are_refreshed(client, march):
    client.force_login(march.user(Role.COORDINATOR))
    before = client.get(URL).context["dash"].sums.current.total["reports"]
    submitted(march, now=NOW.replace(month=3, day=5))
    rollups.changes_process(now=NOW)
    after = client.get(URL).context["dash"].sums.current.total["reports"]
    assert after == before + 1


def test_a_recount_that_changes_nothing_keeps_the_stamp(march):
    own, _other = _stamps(march)
    rollups.bucket_refresh(
        march.municipality().pk, RollupSource.REPORTS, datetime.date(2026, 3, 1), now=NOW
    )
    assert _stamps(march)[0] == own


def test_a_recount_that_changes_a_number_restamps_only_its_municipality(march):
    own, other = _stamps(march)
    submitted(march, now=NOW.replace(month=3, day=5))
    rollups.changes_process(now=NOW)
    new_own, new_other = _stamps(march)
    assert new_own != own
    assert new_other == other


def test_the_rebuild_restamps_every_municipality(march):
    own, other = _stamps(march)
    rollups.rebuild(now=NOW)
    new_own, new_other = _stamps(march)
    assert new_own != own
    assert new_other != other


def _target(world):
    IndicatorTarget.objects.create(
        municipality=world.municipality(), indicator_key="feedback_on_time", target=Decimal("80")
    )


def _consent(world):
    ComparisonConsent.objects.update_or_create(
        municipality=world.municipality(), defaults={"named": True}
    )


def _unit_saved(world):
    school = world.unit(UnitKind.SCHOOL)
    school.pupil_count = (school.pupil_count or 0) + 10
    school.save()


def _units_in_bulk(world):
    Unit.objects.filter(pk=world.unit(UnitKind.SCHOOL).pk).update(pupil_count=123)


def _units_created_in_bulk(world):
    Unit.objects.bulk_create(
        [
            Unit(
                municipality=world.municipality(),
                name="Nya skolan",
                kind=UnitKind.SCHOOL,
                path="/999999/",  # the services keep the path; any non-empty one will do here
            )
        ]
    )


def _municipality_saved(world):
    municipality = Municipality.objects.get(pk=world.municipality().pk)
    municipality.name = "Leksands kommun"
    municipality.save()


def _document(world):
    governance_builders.document(world)


def _audit(world):
    audit_builders.audit(world)


_SETUPS = {
    "version": lambda world: governance_builders.document(world),
    "plan measure": lambda world: governance_builders.document(world),
    "recommendation": lambda world: audit_builders.audit(world),
    "response": lambda world: audit_builders.recommendation(world, audit_builders.audit(world)),
    "audit measure": lambda world: audit_builders.recommendation(
        world, audit_builders.audit(world)
    ),
    "round": lambda world: audit_builders.audit(world),
}


def _version(world, document):
    governance_builders.version(world, document)


def _plan_measure(_world, document):
    Measure.objects.create(document=document, what="Utbildning", owner="Rektor")


def _recommendation(world, audit):
    audit_builders.recommendation(world, audit)


def _response(world, recommendation):
    audit_builders.respond(world, recommendation)


def _audit_measure(world, recommendation):
    audit_builders.measure(world, recommendation)


def _round(world, audit):
    audit_services.round_create(
        actor=world.user(Role.AUDITOR),
        audit=audit,
        title="Uppföljning 2023",
        held_on=datetime.date(2023, 3, 1),
        submission_key=uuid.uuid4(),
    )


@pytest.mark.parametrize(
    "change",
    [
        _target,
        _consent,
        _unit_saved,
        _units_in_bulk,
        _units_created_in_bulk,
        _municipality_saved,
        _document,
        _audit,
    ],
    ids=lambda change: change.__name__.strip("_"),
)
def test_a_change_to_what_the_dashboard_reads_restamps_its_municipality(world, change):
    own, other = _stamps(world)
    with transaction.atomic():
        change(world)
        assert _stamps(world)[0] != own  # in the change's own transaction
    assert _stamps(world)[1] == other


@pytest.mark.parametrize(
    ("setup", "change"),
    [
        ("version", _version),
        ("plan measure", _plan_measure),
        ("recommendation", _recommendation),
        ("response", _response),
        ("audit measure", _audit_measure),
        ("round", _round),
    ],
)
def test_a_change_to_a_part_restamps_the_municipality_it_belongs_to(world, setup, change):
    parent = _SETUPS[setup](world)
    own, other = _stamps(world)
    change(world, parent)
    new_own, new_other = _stamps(world)
    assert new_own != own
    assert new_other == other


def test_a_deleted_part_restamps_its_municipality(world):
    document = governance_builders.document(world)
    measure = Measure.objects.create(document=document, what="Utbildning", owner="Rektor")
    own, _other = _stamps(world)
    measure.delete()
    assert _stamps(world)[0] != own


def test_a_national_reference_value_restamps_every_municipality(world):
    own, other = _stamps(world)
    ReferenceValue.objects.create(
        indicator_key="reports_per_100_pupils", year=2025, value=Decimal("3.1"), source="SCB"
    )
    new_own, new_other = _stamps(world)
    assert new_own != own
    assert new_other != other


def test_a_rolled_back_change_leaves_the_stamp(world):
    own, _other = _stamps(world)

    def change_then_fail() -> None:
        with transaction.atomic():
            _target(world)
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert _stamps(world)[0] == own


def test_each_reader_gets_their_own_schools_from_the_same_kept_parts(client, two_schools):
    world, big, small = two_schools
    client.force_login(world.user(Role.COORDINATOR))
    everyone = client.get(reverse("followup:dashboard"), QUERY).content.decode()
    client.force_login(world.user(Role.PRINCIPAL))
    principal = client.get(reverse("followup:dashboard"), QUERY).content.decode()
    client.force_login(world.user(Role.COORDINATOR))
    again = client.get(reverse("followup:dashboard"), QUERY).content.decode()
    assert big.name in everyone
    assert small.name in everyone
    assert big.name in principal
    assert small.name not in principal
    assert small.name in again


@pytest.mark.usefixtures("march")
def test_the_rebuild_renews_the_stamps_once_at_its_end():
    """Renewed per bucket, the rebuild would hold a municipality's row while it waits for the
    next bucket's lock, which a refresh may hold while it waits for that row."""
    with CaptureQueriesContext(connection) as queries:
        rollups.rebuild(now=NOW)
    restamps = [
        query["sql"]
        for query in queries
        if query["sql"].startswith("UPDATE") and "organisations_municipality" in query["sql"]
    ]
    assert len(restamps) == 1
    assert "WHERE" not in restamps[0]  # every municipality
