"""The admin looks up the accesses to one child by typing its identity number: any common way
of writing it, a clear message that keeps what was typed, the lookup itself in the access log,
only the admin's municipalities, and never the number in an address or on the page."""

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from access.models import AccessAction, AccessLog
from access.selectors import MUNICIPAL_ADMIN_RULE
from access.services import access_log_record, log_sample_create
from access.tests.conftest import add_log_rows, local
from organisations.models import Role, User
from organisations.selectors import memberships_of
from reports.identity import child_ref_for
from tests.matrix import LOGIN, assert_matrix, everyone_else
from tests.world import World

URL = reverse("access:log_review")
LOOKUP_URL = reverse("access:log_review_child")
FOLLOW_URL = reverse("access:log_review_follow")
DIGITS = "201203159809"  # Skatteverket's test serials (980–999), never a real child
REF = child_ref_for(DIGITS)

pytestmark = pytest.mark.usefixtures("demo_mode")  # no two-factor set-up in these tests


def listed(response) -> list[int]:
    return [row.pk for group in response.context["page"].groups for row in group.rows]


@pytest.fixture
def admin(world: World) -> User:
    return world.user(Role.MUNICIPAL_ADMIN)


@pytest.fixture
def reads(world: World) -> dict[str, list[AccessLog]]:
    """Reads of the child in Leksand and in Eksjö, and of another child in Leksand."""
    return {
        "leksand": add_log_rows(
            user=world.user(Role.INTAKE), municipality=world.municipality(), at=local(2025, 3, 1)
        )
        + add_log_rows(
            user=world.user(Role.PRINCIPAL),
            municipality=world.municipality(),
            at=local(2025, 3, 2),
            child_ref=REF,
            role=Role.PRINCIPAL,
        ),
        "eksjo": add_log_rows(
            user=world.user(Role.INTAKE, "eksjo"),
            municipality=world.municipality("eksjo"),
            at=local(2025, 3, 3),
            child_ref=REF,
        ),
    }


def test_matrix(client: Client, world: World) -> None:
    admins = [world.user(Role.MUNICIPAL_ADMIN), world.user(Role.MUNICIPAL_ADMIN, "eksjo")]
    expectations: list[tuple[User | None, int | str]] = [(None, LOGIN)]
    expectations += [(admin, 302) for admin in admins]
    expectations += [(user, 404) for user in everyone_else(world, admins)]
    assert_matrix(client, LOOKUP_URL, expectations, method="post", data={"identity_number": DIGITS})
    # Posted only: a number in a GET would end up in the address.
    assert_matrix(client, LOOKUP_URL, [(admins[0], 405)], data={"identity_number": DIGITS})
    # Nobody but an admin is written to the log as having looked.
    assert not AccessLog.objects.exclude(user__in=admins).exists()


@pytest.mark.parametrize(
    "typed",
    [
        "20120315-9809",
        "201203159809",
        "120315-9809",
        "1203159809",
        " 20120315 9809 ",
        "20120315\u20139809",  # a word processor's dash
    ],
)
def test_any_common_format_finds_the_child(
    client: Client, admin: User, reads: dict[str, list[AccessLog]], typed: str
) -> None:
    client.force_login(admin)
    response = client.post(LOOKUP_URL, {"identity_number": typed})
    assert response.status_code == 302
    assert response["Location"] == URL  # the number goes into no address
    page = client.get(URL)
    # The child's reads in Leksand (the principal's) and the lookup itself, newest first.
    lookup = AccessLog.objects.get(action=AccessAction.SEARCH)
    assert listed(page) == [lookup.pk, reads["leksand"][1].pk]
    text = page.content.decode()
    assert "Showing the accesses to the child with the identity number you typed." in text
    for secret in (DIGITS, "20120315-9809", REF):
        assert secret not in text


def test_a_coordination_number_and_a_century_old_plus_number_are_read(
    client: Client, admin: User
) -> None:
    client.force_login(admin)
    for typed, digits in (("20120375-9806", "201203759806"), ("121212+9819", "191212129819")):
        client.post(LOOKUP_URL, {"identity_number": typed})
        assert AccessLog.objects.filter(child_ref=child_ref_for(digits)).exists(), typed


def test_the_lookup_is_recorded_under_the_childs_reference(
    client: Client, world: World, admin: User
) -> None:
    client.force_login(admin)
    client.post(LOOKUP_URL, {"identity_number": "120315-9809"})
    [row] = AccessLog.objects.all()
    assert row.user == admin
    assert row.action == AccessAction.SEARCH
    assert row.child_ref == REF
    assert row.municipality == world.municipality()
    assert row.object_type == "organisations.municipality"
    assert row.object_id == str(world.municipality().pk)
    assert row.rule == MUNICIPAL_ADMIN_RULE
    assert row.role == Role.MUNICIPAL_ADMIN
    assert DIGITS not in str(AccessLog.objects.values().get())
    # In the review, in words.
    page = client.get(URL).content.decode()
    assert "Searched" in page
    assert "Leksand (the whole municipality)" in page
    assert "Municipal admin&#x27;s log review" in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("20120315-9802", "The last digit does not match the others."),
        ("20121315-9809", "The date of birth in the number does not exist."),
        ("2012-03-15", "Write the number as YYMMDD-NNNN or YYYYMMDD-NNNN"),
        ("Kim Testsson", "Use only digits"),
        ("", "Enter a personal identity number or a coordination number."),
    ],
)
def test_a_wrong_number_gets_a_clear_message_and_keeps_what_was_typed(
    client: Client, admin: User, typed: str, message: str
) -> None:
    client.force_login(admin)
    response = client.post(LOOKUP_URL, {"identity_number": typed})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="error-summary"' in page
    assert message in page
    assert f'value="{typed}"' in page or not typed
    assert response["Cache-Control"] == "no-store"  # what was typed is in the page
    assert response.context["page"] is None
    assert not AccessLog.objects.exists()  # nothing was looked up


def test_the_message_is_swedish_for_a_swedish_admin(world: World) -> None:
    client = Client(headers={"Accept-Language": "sv"})
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    page = client.post(LOOKUP_URL, {"identity_number": "20120315-9802"}).content.decode()
    assert "Den sista siffran stämmer inte med de andra." in page
    assert 'value="20120315-9802"' in page


def test_only_the_admins_municipality_is_looked_in(
    client: Client, world: World, reads: dict[str, list[AccessLog]]
) -> None:
    eksjo_admin = world.user(Role.MUNICIPAL_ADMIN, "eksjo")
    client.force_login(eksjo_admin)
    client.post(LOOKUP_URL, {"identity_number": DIGITS})
    shown = set(listed(client.get(URL)))
    assert reads["eksjo"][0].pk in shown
    assert not shown & {row.pk for row in reads["leksand"]}
    assert AccessLog.objects.get(user=eksjo_admin).municipality == world.municipality("eksjo")


def test_the_filters_still_apply_and_the_child_can_be_let_go(
    client: Client, admin: User, reads: dict[str, list[AccessLog]]
) -> None:
    client.force_login(admin)
    client.post(LOOKUP_URL, {"identity_number": DIGITS})
    client.post(reverse("access:log_review_filter"), {"action": AccessAction.VIEW})
    assert listed(client.get(URL)) == [reads["leksand"][1].pk]
    response = client.post(LOOKUP_URL, {"clear": "1"})
    assert response["Location"] == URL
    shown = listed(client.get(URL))
    assert reads["leksand"][0].pk in shown  # the other child again


def test_following_a_rows_child_shows_its_accesses_without_its_reference(
    client: Client, admin: User, reads: dict[str, list[AccessLog]]
) -> None:
    client.force_login(admin)
    page = client.get(URL).content.decode()
    assert f'name="row" value="{reads["leksand"][1].pk}"' in page
    assert REF not in page
    response = client.post(FOLLOW_URL, {"row": reads["leksand"][1].pk})
    assert response.status_code == 302
    assert response["Location"] == URL
    answer = client.get(URL)
    assert listed(answer) == [reads["leksand"][1].pk]
    assert "Showing the accesses to the same child as in the row you chose." in (
        answer.content.decode()
    )
    assert not AccessLog.objects.filter(action=AccessAction.SEARCH).exists()


def test_follow_matrix_a_row_of_another_municipality_is_a_404(
    client: Client, world: World, reads: dict[str, list[AccessLog]]
) -> None:
    admins = [world.user(Role.MUNICIPAL_ADMIN)]
    row = {"row": reads["leksand"][1].pk}
    expectations: list[tuple[User | None, int | str]] = [(None, LOGIN)]
    expectations += [(admins[0], 302)]
    expectations += [(user, 404) for user in everyone_else(world, admins)]
    assert_matrix(client, FOLLOW_URL, expectations, method="post", data=row)
    assert_matrix(client, FOLLOW_URL, [(admins[0], 405)], data=row)
    for missing in ("", "abc", "99999999", "1" * 30):
        assert_matrix(client, FOLLOW_URL, [(admins[0], 404)], method="post", data={"row": missing})


def test_a_sample_row_leads_to_its_childs_accesses(client: Client, world: World) -> None:
    reader = world.user(Role.INTAKE)
    access_log_record(
        user=reader,
        municipality=world.municipality(),
        obj=world.municipality(),
        child_ref=REF,
        action=AccessAction.VIEW,
        rule="intake_of_municipality",
        membership=memberships_of(reader)[0],
    )
    row = AccessLog.objects.get()
    admin = world.user(Role.MUNICIPAL_ADMIN)
    month = row.occurred_at.date().replace(day=1)
    with time_machine.travel(local(month.year + 1, 1, 15)):
        sample = log_sample_create(actor=admin, municipality=world.municipality(), month=month)
    client.force_login(admin)
    page = client.get(reverse("access:log_sample_detail", args=[sample.pk])).content.decode()
    assert f'form="follow-child" name="row" value="{row.pk}"' in page
    assert REF not in page
