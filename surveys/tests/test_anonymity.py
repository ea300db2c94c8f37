"""Anonymity: nothing links a stored answer to the invitation (or the person) it came from.
The test answers in a known order and then tries every join an insider with the database
could: a column, the order of ids, the dates and times, PostgreSQL's transaction ids (xmin),
the audit trail and the logs. Committed transactions (``transactional_db``), so each answer is
its own transaction as in production. On SQLite the PostgreSQL part is not asked; everything
else is."""

from collections.abc import Iterator

import pytest
from django.db import connection

from access.models import AuditEvent
from surveys.models import Answer, Invitation, Response
from surveys.services_answers import response_submit
from surveys.tests.conftest import captured_logs, send_round
from tests.flush import flush_past_append_only_triggers
from tests.world import build_world

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module", autouse=True)
def _flush_past_append_only_triggers() -> Iterator[None]:
    """The teardown empties the append-only tables too (committed rows); module-wide, so it
    is still in place when the test's database is flushed."""
    with flush_past_append_only_triggers():
        yield


ADDRESSES = [f"anonym{n}@leksand.example" for n in range(1, 7)]


def _xmins(table: str, where: str = "") -> dict[int, str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, xmin::text FROM {table} {where}")  # noqa: S608 - fixed names
        return dict(cursor.fetchall())


def test_no_join_links_a_response_to_its_invitation() -> None:
    from surveys import services

    world = build_world()
    template = services.builtin_copy(municipality=world.municipality(), key="mapping", actor=None)
    sent = send_round(world, template, ADDRESSES)
    routine = sent.question("knows_routine")
    whom = sent.question("knows_whom_to_call")
    meetings = sent.question("meetings_work")
    confidentiality = sent.question("knows_confidentiality")
    # Answer in an order unlike the invitations' (ids and addresses), with distinct answers.
    order = [4, 1, 5, 2]
    with captured_logs() as lines:
        for position, index in enumerate(order):
            response_submit(
                token=sent.tokens[ADDRESSES[index]],
                values={
                    routine.pk: "yes",
                    whom.pk: "no",
                    meetings.pk: str(position + 1),
                    confidentiality.pk: "3",
                },
            )
    answered = list(Invitation.objects.filter(answered=True).order_by("pk"))
    assert [i.email for i in answered] == sorted(ADDRESSES[i] for i in order)

    # 1. No column: a response knows its round, its sector and its day, nothing else.
    fields = {field.name for field in Response._meta.get_fields()}
    assert fields == {"id", "round", "sector", "submitted_on", "answers"}
    assert {field.name for field in Answer._meta.concrete_fields} == {
        "id",
        "response",
        "question",
        "option",
        "number",
        "text",
        "text_removed",
    }

    # 2. Times: a response has a date, no time; the invitation records no time of answering
    # (sent_at is the same for every invitation, reminded_at unchanged by answering).
    assert {field.get_internal_type() for field in Response._meta.concrete_fields} >= {"DateField"}
    assert not any(f.get_internal_type() == "DateTimeField" for f in Response._meta.concrete_fields)
    assert len({i.sent_at for i in Invitation.objects.all()}) == 1
    assert not Invitation.objects.exclude(reminded_at=None).exists()
    assert len({r.submitted_on for r in Response.objects.all()}) == 1

    # 3. Order of ids: the responses are in answering order, which nothing stored on the
    # invitations reveals (their ids and addresses give another order).
    by_answer = [r.answers.get(question=meetings).option for r in Response.objects.order_by("pk")]
    assert by_answer == ["1", "2", "3", "4"]
    assert [ADDRESSES.index(i.email) for i in answered] != order

    # 4. The audit trail and the logs hold nothing about an answer.
    assert not AuditEvent.objects.filter(
        object_type__in=["surveys.response", "surveys.answer"]
    ).exists()
    assert not AuditEvent.objects.filter(event_type__icontains="answer").exists()
    logged = " ".join(lines)
    assert not any(address in logged for address in ADDRESSES)
    assert not any(token in logged for token in sent.tokens.values())

    # 5. PostgreSQL: the transaction id of each row (xmin). The newest response was written
    # with every answered invitation, so its xmin matches all of them; an older response's
    # matches none. No response's xmin singles out one invitation.
    if connection.vendor == "postgresql":
        responses = _xmins("surveys_response")
        invitations = _xmins("surveys_invitation", "WHERE answered")
        for xmin in responses.values():
            matching = [pk for pk, other in invitations.items() if other == xmin]
            assert len(matching) in (0, len(invitations)), (xmin, matching)
        assert len(set(invitations.values())) == 1
    else:
        assert connection.vendor == "sqlite"  # no row versions to join on


def test_two_submits_at_once_make_one_response() -> None:
    """Two requests with the same link at the same moment (a double click, two tabs): the
    invitation's row lock lets one through; the other finds it answered."""
    import threading

    from django.db import connections

    from surveys import services
    from surveys.services_answers import LinkError

    world = build_world()
    template = services.builtin_copy(municipality=world.municipality(), key="mapping", actor=None)
    sent = send_round(world, template, ["samtidigt@leksand.example"])
    values = {q.pk: (q.options[0]["key"] if q.options else 1) for q in sent.questions if q.required}
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit() -> None:
        try:
            barrier.wait()
            response_submit(token=sent.token(), values=values)
            outcomes.append("stored")
        except LinkError as error:
            outcomes.append(error.reason)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["answered", "stored"]
    assert Response.objects.count() == 1
    assert Invitation.objects.get().answered
