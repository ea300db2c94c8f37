"""The deletion proposal, the decision and carrying it out: nothing without a decision, the
research sample kept, export first, the tombstones, and the follow-up unchanged."""

import datetime
import uuid
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Model

from access.models import AccessAction, AccessLog, AuditEvent, AuditEventType
from access.policies import NotPermitted
from followup import rollups
from followup.models import Rollup
from organisations.models import Role
from reports.models import Attachment, ConcernReport, ConcernReportCategory
from reports.tests.builders import ARRIVAL
from retention import services
from retention.archive import read_package
from retention.models import DecisionState, DeletionDecision, DeletionItem, RecordType
from retention.selectors import proposal_page
from retention.tests.conftest import TODAY, closed_plan, closed_report, identity, rule
from sip.models import Consent, ConsentGiver, Participant, Plan
from tests.world import World

NOW = datetime.datetime.combine(TODAY, datetime.time(12), tzinfo=datetime.UTC)


def decide(world: World, ids: list[int], record_type: str = RecordType.REPORT, **kwargs):
    return services.deletion_decide(
        actor=world.user(Role.MUNICIPAL_ADMIN),
        rule=rule(world, record_type),
        object_ids=ids,
        decision_reference=kwargs.pop("reference", "KS 2031/45"),
        submission_key=kwargs.pop("key", uuid.uuid4()),
        today=kwargs.pop("today", TODAY),
    )


def snapshot() -> list[tuple]:
    rows = Rollup.objects.values_list(
        "municipality_id", "source", "month", "unit_id", "sector", "metric", "value"
    )
    return sorted(rows, key=lambda row: (row[0], row[1], row[2], row[3] or 0, *row[4:]))


def test_the_proposal_lists_what_is_due_and_keeps_the_research_sample(world: World) -> None:
    due = closed_report(world, day=6)
    kept = closed_report(world, day=15)
    later = closed_report(world, day=7, arrival=ARRIVAL + datetime.timedelta(days=30))
    proposal = proposal_page(rule(world), today=TODAY)
    listed = {row.object_id: row for row in proposal.rows}
    assert set(listed) == {due.pk, kept.pk}
    assert later.pk not in listed
    assert listed[kept.pk].kept_for_research
    assert not listed[due.pk].kept_for_research
    assert listed[due.pk].reference == due.reference
    assert listed[due.pk].closed_on == datetime.date(2026, 3, 2)
    assert listed[due.pk].due_on == datetime.date(2031, 3, 2)
    # Another municipality's proposal is its own.
    assert proposal_page(rule(world, place="eksjo"), today=TODAY).rows == []
    # No word about the child anywhere in what the proposal holds.
    text = repr(proposal)
    for personal in ("Testa", identity(6), identity(6)[:8], "bråk"):
        assert personal not in text


def test_the_proposal_is_read_in_keyset_pages(world: World, django_assert_num_queries) -> None:
    reports = [closed_report(world, day=day) for day in (6, 7, 8)]
    seen = []
    cursor = ""
    reports_rule = rule(world)
    while True:
        with django_assert_num_queries(1):
            page = proposal_page(reports_rule, today=TODAY, cursor=cursor, page_size=2)
        seen += [row.object_id for row in page.rows]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == [report.pk for report in reports]


def test_a_decision_refuses_records_not_due_or_kept(world: World) -> None:
    due = closed_report(world, day=6)
    kept = closed_report(world, day=25)
    with pytest.raises(ValidationError):
        decide(world, [due.pk, kept.pk])
    with pytest.raises(ValidationError):
        decide(world, [due.pk], today=TODAY - datetime.timedelta(days=2))
    with pytest.raises(ValidationError):
        decide(world, [due.pk], reference="  ")
    with pytest.raises(ValidationError):
        services.deletion_decide(
            actor=world.user(Role.MUNICIPAL_ADMIN, "eksjo"),
            rule=rule(world),
            object_ids=[due.pk],
            decision_reference="KS 1",
            submission_key=uuid.uuid4(),
            today=TODAY,
        )
    assert not DeletionDecision.objects.exists()


def test_the_same_submission_makes_one_decision(world: World) -> None:
    report = closed_report(world)
    key = uuid.uuid4()
    first = decide(world, [report.pk], key=key)
    assert decide(world, [report.pk], key=key) == first
    assert DeletionDecision.objects.count() == 1
    # Once named, a record is no longer proposed and a second decision refuses it.
    assert proposal_page(rule(world), today=TODAY).rows == []
    with pytest.raises(ValidationError):
        decide(world, [report.pk])


def test_nothing_is_erased_without_a_decision(world: World) -> None:
    report = closed_report(world)
    # The only way to erase is to carry out a recorded decision: the service takes one.
    with pytest.raises(TypeError):
        services.deletion_carry_out(actor=world.user(Role.MUNICIPAL_ADMIN))  # type: ignore[call-arg]
    assert ConcernReport.objects.get(pk=report.pk).child_name == "Testa Testsson"


@pytest.mark.parametrize(
    ("role", "place"),
    [(Role.MUNICIPAL_ADMIN, "eksjo"), (Role.COORDINATOR, "leksand"), (Role.INTAKE, "leksand")],
)
def test_only_the_municipalitys_admin_carries_a_decision_out(
    world: World, role: str, place: str
) -> None:
    report = closed_report(world)
    decision = decide(world, [report.pk])
    with pytest.raises(NotPermitted):
        services.deletion_carry_out(actor=world.user(role, place), decision=decision)
    assert ConcernReport.objects.get(pk=report.pk).child_name == "Testa Testsson"
    assert DeletionDecision.objects.get(pk=decision.pk).state != DecisionState.COMPLETED


def test_the_export_is_a_read_of_each_childs_data_in_the_access_log(world: World) -> None:
    report = closed_report(world)
    child_ref = report.child_ref
    admin = world.user(Role.MUNICIPAL_ADMIN)
    services.deletion_carry_out(actor=admin, decision=decide(world, [report.pk]))
    rows = AccessLog.objects.filter(object_id=str(report.pk), action=AccessAction.EXPORT)
    assert [(row.user_id, row.child_ref) for row in rows] == [(admin.pk, child_ref)]


def test_a_failed_export_erases_nothing(world: World) -> None:
    report = closed_report(world, attachment=True)
    decision = decide(world, [report.pk])
    with (
        mock.patch("retention.archive.zipfile.ZipFile.writestr", side_effect=OSError("full")),
        pytest.raises(OSError, match="full"),
    ):
        services.deletion_carry_out(actor=world.user(Role.MUNICIPAL_ADMIN), decision=decision)
    decision.refresh_from_db()
    assert decision.state == DecisionState.EXPORT_FAILED
    assert decision.archive_sha256 == ""
    stored = ConcernReport.objects.get(pk=report.pk)
    assert stored.child_name == "Testa Testsson"
    assert Attachment.objects.filter(report=report).exists()
    assert not list(Path(services_archive_dir()).glob("*"))
    assert AuditEvent.objects.filter(event_type=AuditEventType.DELETION_EXPORT_FAILED).exists()
    # Once the disk has room again, the same decision is carried out.
    services.deletion_carry_out(actor=world.user(Role.MUNICIPAL_ADMIN), decision=decision)
    assert DeletionDecision.objects.get(pk=decision.pk).state == DecisionState.COMPLETED


def services_archive_dir() -> Path:
    from retention.archive import archive_dir

    return archive_dir()


def test_carrying_out_exports_first_then_erases_and_leaves_tombstones(
    world: World, django_capture_on_commit_callbacks
) -> None:
    report = closed_report(world, attachment=True)
    attachment = Attachment.objects.get(report=report)
    file_name = attachment.file.name or ""
    storage = attachment.file.storage
    assert storage.exists(file_name)
    rollups.rebuild(now=NOW)
    before = snapshot()

    decision = decide(world, [report.pk])
    with django_capture_on_commit_callbacks(execute=True):
        decision = services.deletion_carry_out(
            actor=world.user(Role.MUNICIPAL_ADMIN), decision=decision
        )

    assert decision.state == DecisionState.COMPLETED
    package = read_package(
        services_archive_dir() / decision.archive_name, expected_sha256=decision.archive_sha256
    )
    (record,) = package.records
    assert record["child_name"] == "Testa Testsson"
    assert record["child_identity_number"] == identity(6)
    (exported_file,) = record["attachments"]
    assert package.files[f"representations/rep1/data/{exported_file['path']}"] == (
        b"%PDF-1.4 a scanned letter"
    )
    assert package.metadata["decision_reference"] == "KS 2031/45"
    # The record is erased; its skeleton and tombstone stay.
    erased = ConcernReport.objects.get(pk=report.pk)
    assert (erased.child_name, erased.child_identity_number, erased.what_happened) == ("", "", "")
    assert erased.child_ref != report.child_ref
    assert erased.submitted_at == report.submitted_at
    assert erased.decided_at == report.decided_at
    assert not Attachment.objects.filter(report=report).exists()
    assert not ConcernReportCategory.objects.filter(report=report).exists()
    assert not storage.exists(file_name)
    item = DeletionItem.objects.get(object_id=report.pk, record_type=RecordType.REPORT)
    assert item.erased_at is not None
    assert item.reference == report.reference
    # The follow-up counts the same, incrementally and after a rebuild.
    rollups.changes_process(now=NOW)
    assert snapshot() == before
    rollups.rebuild(now=NOW)
    assert snapshot() == before
    events = AuditEvent.objects.filter(
        object_type="retention.deletiondecision", object_id=str(decision.pk)
    ).values_list("event_type", flat=True)
    assert set(events) == {
        AuditEventType.DELETION_DECIDED,
        AuditEventType.DELETION_EXPORTED,
        AuditEventType.DELETION_CARRIED_OUT,
    }
    # Carrying it out again changes nothing.
    assert (
        services.deletion_carry_out(actor=world.user(Role.MUNICIPAL_ADMIN), decision=decision).state
        == "completed"
    )


def history_rows(model: type[Model], **lookup: object) -> int:
    return model.history.model.objects.filter(**lookup).count()  # type: ignore[attr-defined]


def test_a_plans_history_rows_go_with_it(world: World) -> None:
    plan = closed_plan(world, when=datetime.datetime(2020, 3, 2, 10, tzinfo=datetime.UTC))
    assert history_rows(Plan, id=plan.pk) > 0
    participants = list(Participant.objects.filter(plan=plan).values_list("pk", flat=True))
    assert history_rows(Participant, id__in=participants) > 0
    rollups.rebuild(now=NOW)
    before = snapshot()
    proposal = proposal_page(rule(world, RecordType.MEDICAL_PLAN), today=TODAY)
    assert [row.object_id for row in proposal.rows] == [plan.pk]  # ten years for medical plans
    decision = decide(world, [plan.pk], RecordType.MEDICAL_PLAN)
    services.deletion_carry_out(actor=world.user(Role.MUNICIPAL_ADMIN), decision=decision)
    erased = Plan.objects.get(pk=plan.pk)
    assert (erased.child_name, erased.child_birth_date, erased.close_note) == ("", None, "")
    assert history_rows(Plan, id=plan.pk) == 0
    assert history_rows(Participant, id__in=participants) == 0
    assert set(Participant.objects.filter(plan=plan).values_list("name", flat=True)) == {""}
    assert not ConsentGiver.objects.filter(consent__plan=plan).exists()
    assert Consent.objects.filter(plan=plan).exists()
    rollups.rebuild(now=NOW)
    assert snapshot() == before


def test_a_medical_plan_is_not_due_after_five_years(world: World) -> None:
    closed_plan(world, when=datetime.datetime(2024, 3, 2, 10, tzinfo=datetime.UTC))
    assert proposal_page(rule(world, RecordType.MEDICAL_PLAN), today=TODAY).rows == []


def test_the_package_goes_where_retention_archive_dir_says(
    world: World, tmp_path: Path, settings
) -> None:
    settings.RETENTION_ARCHIVE_DIR = str(tmp_path / "e-arkiv")
    decision = services.deletion_carry_out(
        actor=world.user(Role.MUNICIPAL_ADMIN), decision=decide(world, [closed_report(world).pk])
    )
    package = tmp_path / "e-arkiv" / decision.archive_name
    assert read_package(package, expected_sha256=decision.archive_sha256).records
    # Empty (the default): the folder e-archive in MEDIA_ROOT.
    settings.RETENTION_ARCHIVE_DIR = ""
    assert services_archive_dir() == Path(settings.MEDIA_ROOT) / "e-archive"
