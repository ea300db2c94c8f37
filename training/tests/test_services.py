"""The services: an outsider (the other municipality's coordinator, the wrong role, a permit
for reading only) is refused and nothing changes; the rules hold without a form in front;
a stale version is refused with what was saved; the same submission key makes one record;
every change leaves an audit event."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from access.models import AuditEvent, AuditEventType
from access.policies import NotPermitted
from organisations.models import Role, Sector, UnitKind
from surveys.models import SurveyKind
from tests.world import World
from training import services
from training.models import TrainingSession, Vignette
from training.policies import MANAGE, READ, RECORD, session_policy, vignette_policy
from training.tests import builders
from wheel.models import ActivityType
from wheel.tests.series_builders import around_today, past_occurrence

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def _data(world: World, **changes: object) -> services.SessionData:
    values: dict[str, object] = {
        "title": "Utbildning",
        "held_on": YESTERDAY,
        "participants": {world.unit(UnitKind.SCHOOL).pk: 5},
    }
    values.update(changes)
    return services.SessionData(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("role", "place"),
    [(Role.COORDINATOR, "eksjo"), (Role.MANAGER, "leksand"), (Role.REPORTER, "leksand")],
)
def test_outsiders_can_not_record(world: World, role: str, place: str) -> None:
    actor = world.user(role, place)
    with pytest.raises(NotPermitted):
        services.session_create(actor=actor, municipality=world.municipality(), data=_data(world))
    with pytest.raises(NotPermitted):
        services.vignette_create(
            actor=actor,
            municipality=world.municipality(),
            data=services.VignetteData(title="Fall", case_text="Påhittat."),
        )
    assert not TrainingSession.objects.exists()
    assert not Vignette.objects.exists()


def test_a_permit_to_read_does_not_change(world: World) -> None:
    session = builders.session(world, held_on=YESTERDAY, counts={world.unit(UnitKind.SCHOOL): 3})
    vignette = builders.vignette(world)
    manager = world.user(Role.MANAGER)
    permit = session_policy.find(manager, READ, pk=session.pk)
    assert permit is not None
    with pytest.raises(NotPermitted):
        services.session_update(
            permit=permit, actor=manager, expected_version=1, data=_data(world, title="Ändrad")
        )
    assert session_policy.find(manager, RECORD, pk=session.pk) is None
    reader = vignette_policy.find(world.user(Role.REPORTER), READ, pk=vignette.pk)
    assert reader is not None
    with pytest.raises(NotPermitted):
        services.vignette_update(
            permit=reader,
            actor=world.user(Role.REPORTER),
            expected_version=1,
            data=services.VignetteData(title="Ändrad", case_text="…"),
        )
    assert (
        vignette_policy.find(world.user(Role.COORDINATOR, "eksjo"), MANAGE, pk=vignette.pk) is None
    )


def test_links_to_another_municipality_are_refused(world: World) -> None:
    other_case = builders.vignette(world, "eksjo")
    eksjo_series = around_today(world, "eksjo", activity_type=ActivityType.TRAINING)
    not_training = past_occurrence(around_today(world, title="Samverkansmöte"))
    eksjo_round = builders.evaluation_round(
        world.municipality("eksjo"), [5] * 5, opens_on=YESTERDAY
    )
    mapping_round = builders.survey_round(
        world.municipality(),
        kind=SurveyKind.MAPPING,
        title="Kartläggning",
        opens_on=YESTERDAY,
        questions=[("routine", "mapping_knows_routine", ["5"])],
        answers=[],
    )
    cases: list[tuple[dict[str, object], str]] = [
        ({"vignettes": [other_case]}, "vignettes"),
        ({"occurrence": past_occurrence(eksjo_series)}, "occurrence"),
        ({"occurrence": not_training}, "occurrence"),
        ({"evaluation_round": eksjo_round}, "evaluation_round"),
        ({"evaluation_round": mapping_round}, "evaluation_round"),
        ({"participants": {world.unit(UnitKind.SCHOOL, "eksjo").pk: 4}}, "participants"),
        ({"named_participants": [world.user(Role.REPORTER, "eksjo")]}, "named_participants"),
        ({"groups": [services.GroupData(sectors=[])]}, "groups"),
        ({"groups": [services.GroupData(sectors=["nowhere"])]}, "groups"),
        ({"held_on": timezone.localdate() + datetime.timedelta(days=1)}, "held_on"),
        ({"description": "Eleven 20130101-9809"}, "description"),
    ]
    for changes, field in cases:
        with pytest.raises(ValidationError) as caught:
            services.session_create(
                actor=world.user(Role.COORDINATOR),
                municipality=world.municipality(),
                data=_data(world, **changes),
            )
        assert field in caught.value.message_dict, (changes, caught.value.message_dict)
    assert not TrainingSession.objects.exists()


def test_the_same_submission_key_records_one_session(world: World) -> None:
    key = uuid.uuid4()
    first = services.session_create(
        actor=world.user(Role.COORDINATOR),
        municipality=world.municipality(),
        data=_data(world),
        submission_key=key,
    )
    again = services.session_create(
        actor=world.user(Role.COORDINATOR),
        municipality=world.municipality(),
        data=_data(world, title="Dubbelklick"),
        submission_key=key,
    )
    assert first.pk == again.pk
    assert TrainingSession.objects.count() == 1
    events = AuditEvent.objects.filter(event_type=AuditEventType.TRAINING_SESSION_RECORDED)
    assert events.count() == 1
    assert events.get().new_values["participants"] == 5


def test_a_stale_version_is_refused_with_what_was_saved(world: World) -> None:
    session = builders.session(world, held_on=YESTERDAY, counts={world.unit(UnitKind.SCHOOL): 3})
    coordinator = world.user(Role.COORDINATOR)
    permit = session_policy.find(coordinator, RECORD, pk=session.pk)
    assert permit is not None
    services.session_update(
        permit=permit,
        actor=coordinator,
        expected_version=1,
        data=_data(
            world,
            title="Först",
            groups=[services.GroupData(sectors=[Sector.SOCIAL_SERVICES, Sector.SCHOOL])],
        ),
    )
    with pytest.raises(services.ConcurrentEditError) as stale:
        services.session_update(
            permit=permit, actor=coordinator, expected_version=1, data=_data(world, title="Sedan")
        )
    assert stale.value.current.title == "Först"
    assert stale.value.current.version == 2
    session.refresh_from_db()
    assert session.title == "Först"
    # Groups keep the sectors in the usual order, whatever order they were ticked in.
    assert session.groups.get().sectors == [Sector.SCHOOL, Sector.SOCIAL_SERVICES]
    assert (
        AuditEvent.objects.filter(event_type=AuditEventType.TRAINING_SESSION_UPDATED).count() == 1
    )


def test_a_vignette_refuses_identity_numbers_and_another_municipality_s_routine(
    world: World,
) -> None:
    from governance.tests import builders as governance_builders

    eksjo_routine = governance_builders.document(world, "eksjo")
    with pytest.raises(ValidationError) as caught:
        services.vignette_create(
            actor=world.user(Role.COORDINATOR),
            municipality=world.municipality(),
            data=services.VignetteData(
                title="Fall",
                case_text="Eleven 201301019809 är borta.",
                boundary_questions="Får skolan ringa 20130101-9809?",
                governance_document=eksjo_routine,
            ),
        )
    assert set(caught.value.message_dict) == {
        "case_text",
        "boundary_questions",
        "governance_document",
    }
    assert not Vignette.objects.exists()
