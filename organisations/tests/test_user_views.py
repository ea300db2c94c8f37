"""Accounts and roles: creating a user with a first role, the list, ending roles,
deactivating and logging out everywhere."""

import datetime
import re

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.models import AuditEvent, AuditEventType
from organisations import services
from organisations.forms import UserCreateForm
from organisations.models import Membership, Role, UnitKind, User
from organisations.tests.builders import new_user

TODAY = timezone.localdate


@pytest.fixture
def admin(world):
    return world.user(Role.MUNICIPAL_ADMIN)


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def _new_user(world, **overrides):
    data = {
        "username": "anna.larsson",
        "first_name": "Anna",
        "last_name": "Larsson",
        "email": "anna.larsson@leksand.example",
        "title": "Kurator",
        "phone": "0247-800 00",
        "password1": "",
        "password2": "",
        "unit": world.unit(UnitKind.STUDENT_HEALTH).pk,
        "role": Role.STUDENT_HEALTH,
        "valid_from": TODAY().isoformat(),
        "valid_to": "",
    }
    data.update(overrides)
    return data


# --- Creating a user ---------------------------------------------------------------------


def test_create_a_user_with_a_first_role(admin_client, world, admin):
    response = admin_client.post(reverse("organisations:user_create"), _new_user(world))
    user = User.objects.get(username="anna.larsson")
    assert response.status_code == 302
    assert response["Location"] == reverse("organisations:user_detail", args=[user.pk])
    assert user.municipality == world.municipality()
    assert user.title == "Kurator"
    assert not user.has_usable_password()  # identity provider or password reset only
    membership = Membership.objects.get(user=user)
    assert membership.unit == world.unit(UnitKind.STUDENT_HEALTH)
    assert membership.role == Role.STUDENT_HEALTH
    assert membership.valid_to is None
    events = AuditEvent.objects.filter(actor=admin).values_list("event_type", flat=True)
    assert set(events) == {AuditEventType.USER_CREATED, AuditEventType.MEMBERSHIP_CREATED}
    page = admin_client.get(response["Location"]).content.decode()
    assert "The account Anna Larsson was created with its first role." in page
    assert "Leksand student_health" in page


def test_create_a_user_with_a_strong_initial_password(admin_client, world):
    password = "blåbärs-skogen-2026-x"
    admin_client.post(
        reverse("organisations:user_create"),
        _new_user(world, password1=password, password2=password),
    )
    assert User.objects.get(username="anna.larsson").check_password(password)


def test_a_weak_password_is_refused_and_the_input_kept(admin_client, world):
    response = admin_client.post(
        reverse("organisations:user_create"),
        _new_user(world, password1="12345", password2="12345"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "This password is too short" in page
    assert "This password is entirely numeric." in page
    assert 'value="anna.larsson"' in page
    assert 'value="anna.larsson@leksand.example"' in page
    unit_pk = world.unit(UnitKind.STUDENT_HEALTH).pk
    assert f'<option value="{unit_pk}" selected>' in page
    assert 'class="error-summary"' in page
    assert 'value="12345"' not in page  # passwords are never sent back
    assert not User.objects.filter(username="anna.larsson").exists()


def test_a_password_like_the_username_is_refused(admin_client, world):
    response = admin_client.post(
        reverse("organisations:user_create"),
        _new_user(world, password1="anna.larsson.", password2="anna.larsson."),
    )
    assert "password1" in response.context["form"].errors


def test_different_passwords_are_refused(admin_client, world):
    response = admin_client.post(
        reverse("organisations:user_create"),
        _new_user(world, password1="blåbärs-skogen-2026-x", password2="blåbärs-skogen-2026-y"),
    )
    assert "The two passwords are not the same." in response.content.decode()


def test_double_submit_creates_one_user(admin_client, world):
    url = reverse("organisations:user_create")
    first = admin_client.post(url, _new_user(world))
    second = admin_client.post(url, _new_user(world))
    assert first.status_code == 302
    assert second.status_code == 200
    assert "The username “anna.larsson” is already taken. Choose another one." in (
        second.content.decode()
    )
    assert User.objects.filter(username="anna.larsson").count() == 1
    assert Membership.objects.filter(user__username="anna.larsson").count() == 1


def test_two_submits_at_the_same_moment_create_one_user(admin_client, world, monkeypatch):
    """When both submits pass the form's check, the unique username stops the second one,
    and the form says why instead of failing."""
    url = reverse("organisations:user_create")
    admin_client.post(url, _new_user(world))
    monkeypatch.setattr(UserCreateForm, "clean_username", lambda form: form.data["username"])
    response = admin_client.post(url, _new_user(world, email="other@leksand.example"))
    assert response.status_code == 200
    assert "is already taken" in response.context["form"].errors["username"][0]
    assert User.objects.filter(username="anna.larsson").count() == 1
    assert not User.objects.filter(email="other@leksand.example").exists()


def test_username_and_email_are_unique_whatever_the_case(admin_client, world):
    response = admin_client.post(
        reverse("organisations:user_create"),
        _new_user(
            world,
            username="REPORTER.LEKSAND",
            email=world.user(Role.REPORTER).email.upper(),
        ),
    )
    errors = response.context["form"].errors
    assert "username" in errors
    assert errors["email"] == ["Another account already uses this email address."]


def test_a_unit_of_another_municipality_is_not_a_choice(admin_client, world):
    response = admin_client.post(
        reverse("organisations:user_create"),
        _new_user(world, unit=world.unit(UnitKind.SCHOOL, "eksjo").pk),
    )
    assert "unit" in response.context["form"].errors
    assert not User.objects.filter(username="anna.larsson").exists()


def test_the_role_period_is_checked(admin_client, world):
    response = admin_client.post(
        reverse("organisations:user_create"),
        _new_user(world, valid_from="2026-08-01", valid_to="2026-07-01"),
    )
    page = response.content.decode()
    assert "can not be before the first day" in page
    response = admin_client.post(
        reverse("organisations:user_create"),
        _new_user(world, valid_from="2020-01-01", valid_to="2020-06-01"),
    )
    assert "A new role can not have ended already." in response.content.decode()
    response = admin_client.post(
        reverse("organisations:user_create"), _new_user(world, valid_from="31/31/2026")
    )
    assert "valid_from" in response.context["form"].errors
    assert not User.objects.filter(username="anna.larsson").exists()


# --- The list ----------------------------------------------------------------------------


def _many_users(world, count, prefix="user"):
    municipality = world.municipality()
    for index in range(count):
        new_user(
            username=f"{prefix}{index:03d}",
            first_name=f"Förnamn{index % 7}",
            last_name=f"Efternamn{index % 11:02d}",
            municipality=municipality,
        )


def test_search_by_name_username_and_email(admin_client, world):
    intake = world.user(Role.INTAKE)
    intake.first_name, intake.last_name, intake.email = "Karin", "Ståhl", "ks@soc.example"
    intake.save()
    # The world's names are the factory's random ones: the reporter must not happen to be a
    # Karin (as it once was in CI).
    reporter = world.user(Role.REPORTER)
    reporter.first_name, reporter.last_name, reporter.email = "Per", "Olsson", "po@skola.example"
    reporter.save()
    url = reverse("organisations:user_list")
    for query in ("karin", "Karin Ståhl", "intake.lek", "soc.example"):
        response = admin_client.post(url, {"q": query})
        assert response.status_code == 302
        assert response["Location"] == url  # the search text never goes into a URL
        page = admin_client.get(url).content.decode()
        assert "intake.leksand" in page, query
        assert "reporter.leksand" not in page, query
    admin_client.post(url, {"q": "nobody-like-this"})
    page = admin_client.get(url).content.decode()
    assert "No user matches the search." in page
    admin_client.post(url, {"q": ""})  # "Show everyone"
    assert "reporter.leksand" in admin_client.get(url).content.decode()


@pytest.mark.usefixtures("world")
def test_the_list_shows_only_local_roles_and_not_other_municipalities(admin_client):
    page = admin_client.get(reverse("organisations:user_list")).content.decode()
    assert "reporter.leksand" in page
    assert "reporter.eksjo" not in page
    assert "Leksand school" in page


def test_keyset_pages_of_fifty(admin_client, world):
    _many_users(world, 110)
    url = reverse("organisations:user_list")
    seen: list[int] = []
    response = admin_client.get(url)
    pages = 0
    while True:
        pages += 1
        users = response.context["page"].users
        seen.extend(user.pk for user in users)
        next_url = response.context["page"].next_url
        if not next_url:
            break
        assert re.fullmatch(r"/organisation/users/\?after=\d+", next_url)
        response = admin_client.get(next_url)
    visible = User.objects.filter(municipality=world.municipality()).count()
    assert pages == 3
    assert len(seen) == len(set(seen)) == visible
    ordered = list(
        User.objects.filter(pk__in=seen)
        .order_by("last_name", "first_name", "pk")
        .values_list("pk", flat=True)
    )
    assert seen == ordered
    # And back again from the last page.
    previous = admin_client.get(response.context["page"].previous_url)
    assert [user.pk for user in previous.context["page"].users] == seen[50:100]
    assert previous.context["page"].next_url


def test_paging_keeps_the_search(admin_client, world):
    _many_users(world, 60, prefix="sök")
    admin_client.post(reverse("organisations:user_list"), {"q": "sök"})
    response = admin_client.get(reverse("organisations:user_list"))
    assert len(response.context["page"].users) == 50
    assert "sök" not in response.context["page"].next_url
    second = admin_client.get(response.context["page"].next_url)
    assert len(second.context["page"].users) == 10
    assert all(user.username.startswith("sök") for user in second.context["page"].users)


def test_a_cursor_of_someone_else_gives_an_empty_page(admin_client, world):
    response = admin_client.get(
        reverse("organisations:user_list"), {"after": world.user(Role.REPORTER, "eksjo").pk}
    )
    assert response.status_code == 200
    assert response.context["page"].users == []


def test_user_list_query_count_is_pinned(admin_client, world, django_assert_num_queries):
    """The list costs the same number of queries with 3 users as with 60, reads the users
    with a LIMIT and no OFFSET, and never counts the whole table."""
    url = reverse("organisations:user_list")
    _many_users(world, 3, prefix="a")
    admin_client.get(url)
    with CaptureQueriesContext(connection) as small:
        admin_client.get(url)
    sql = [query["sql"] for query in small.captured_queries]
    user_queries = [s for s in sql if s.startswith("SELECT") and 'FROM "organisations_user"' in s]
    assert any("LIMIT 51" in s for s in user_queries)
    # (The header counts the user's own unread notifications; that is not the user table.)
    assert not any("OFFSET" in s or "COUNT(" in s for s in sql if "core_notification" not in s)
    _many_users(world, 57, prefix="b")
    with django_assert_num_queries(len(small)):
        response = admin_client.get(url)
    assert len(response.context["page"].users) == 50


# --- Detail, edit and roles --------------------------------------------------------------


@pytest.mark.usefixtures("admin")
def test_detail_shows_active_and_ended_roles(admin_client, world):
    teacher = world.user(Role.REPORTER)
    old = services.membership_create(
        actor=None,
        user=teacher,
        unit=world.unit(UnitKind.INTAKE),
        role=Role.INTAKE,
        valid_from=datetime.date(2024, 1, 1),
        valid_to=datetime.date(2024, 12, 31),
    )
    response = admin_client.get(reverse("organisations:user_detail", args=[teacher.pk]))
    rows = {row.membership.pk: row.status for row in response.context["rows"]}
    current = Membership.objects.get(user=teacher, role=Role.REPORTER)
    assert rows == {current.pk: "active", old.pk: "ended"}
    page = response.content.decode()
    assert reverse("organisations:membership_end", args=[current.pk]) in page
    assert reverse("organisations:membership_end", args=[old.pk]) not in page
    assert "Ended" in page
    assert "Active" in page


def test_edit_the_account(admin_client, world, admin):
    teacher = world.user(Role.REPORTER)
    # Faker chose the world's names; a known name first, so the typed one is always a change.
    User.objects.filter(pk=teacher.pk).update(first_name="Anna", last_name="Berg")
    url = reverse("organisations:user_edit", args=[teacher.pk])
    data = {"first_name": "Nils", "last_name": "Holm", "email": "nils@example.org", "title": ""}
    assert admin_client.post(url, data).status_code == 302
    teacher.refresh_from_db()
    assert (teacher.first_name, teacher.email) == ("Nils", "nils@example.org")
    event = AuditEvent.objects.get(event_type=AuditEventType.USER_UPDATED)
    assert event.actor == admin
    assert event.new_values["first_name"] == "Nils"
    taken = admin_client.post(url, {**data, "email": world.user(Role.INTAKE).email})
    assert "Another account already uses this email address." in taken.content.decode()
    assert 'value="Nils"' in taken.content.decode()


def test_reactivate_an_account(admin_client, world):
    teacher = world.user(Role.REPORTER)
    User.objects.filter(pk=teacher.pk).update(is_active=False)
    url = reverse("organisations:user_edit", args=[teacher.pk])
    data = {"first_name": "A", "last_name": "B", "email": teacher.email, "is_active": "on"}
    admin_client.post(url, data)
    teacher.refresh_from_db()
    assert teacher.is_active
    # An active account has no such box: deactivation has its own page.
    assert "is_active" not in admin_client.get(url).context["form"].fields


def test_add_a_role(admin_client, world, admin):
    teacher = world.user(Role.REPORTER)
    url = reverse("organisations:membership_create", args=[teacher.pk])
    data = {
        "unit": world.unit(UnitKind.STUDENT_HEALTH).pk,
        "role": Role.STUDENT_HEALTH,
        "valid_from": TODAY().isoformat(),
        "valid_to": (TODAY() + datetime.timedelta(days=90)).isoformat(),
        "includes_subtree": "on",
    }
    assert admin_client.post(url, data).status_code == 302
    membership = Membership.objects.get(user=teacher, role=Role.STUDENT_HEALTH)
    assert membership.includes_subtree
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.MEMBERSHIP_CREATED, actor=admin
    ).exists()
    again = admin_client.post(url, data)
    assert "already has the role “Student health”" in again.content.decode()
    assert Membership.objects.filter(user=teacher, role=Role.STUDENT_HEALTH).count() == 1


def test_an_outside_account_is_visible_once_it_has_a_local_role(admin_client, world):
    outsider = world.user(Role.REPORTER, "eksjo")
    url = reverse("organisations:user_detail", args=[outsider.pk])
    assert admin_client.get(url).status_code == 404
    services.membership_create(
        actor=None, user=outsider, unit=world.unit(UnitKind.SCHOOL), role=Role.SIP_PARTICIPANT
    )
    assert admin_client.get(url).status_code == 200


# --- Ending roles, deactivating, logging out ---------------------------------------------


def _started_earlier(user):
    Membership.objects.filter(user=user).update(valid_from=datetime.date(2025, 1, 1))


def test_end_a_role_after_confirmation(admin_client, world):
    intake = world.user(Role.INTAKE)
    _started_earlier(intake)
    membership = Membership.objects.get(user=intake)
    url = reverse("organisations:membership_end", args=[membership.pk])
    page = admin_client.get(url).content.decode()
    assert "Cancel" in page
    assert reverse("organisations:user_detail", args=[intake.pk]) in page
    membership.refresh_from_db()
    assert membership.valid_to is None  # a GET changes nothing
    response = admin_client.post(url)
    assert response["Location"] == reverse("organisations:user_detail", args=[intake.pk])
    membership.refresh_from_db()
    assert membership.valid_to == TODAY() - datetime.timedelta(days=1)
    # The role is gone for the very next request of that user.
    intake_client = type(admin_client)(headers={"Accept-Language": "en"})
    intake_client.force_login(intake)
    page = intake_client.get(reverse("core:start")).content.decode()
    assert "Intake social worker" not in page
    # Ending it again changes nothing.
    admin_client.post(url)
    membership.refresh_from_db()
    assert membership.valid_to == TODAY() - datetime.timedelta(days=1)
    assert AuditEvent.objects.filter(event_type=AuditEventType.MEMBERSHIP_ENDED).count() == 1


def test_ending_the_last_local_role_of_an_outside_account_goes_back_to_the_list(
    admin_client, world
):
    outsider = world.user(Role.REPORTER, "eksjo")
    membership = services.membership_create(
        actor=None, user=outsider, unit=world.unit(UnitKind.SCHOOL), role=Role.SIP_PARTICIPANT
    )
    # It started today, so ending it removes it, and the account is no longer ours to see.
    response = admin_client.post(reverse("organisations:membership_end", args=[membership.pk]))
    assert response["Location"] == reverse("organisations:user_list")


def _session_for(user):
    store = SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store.create()
    UserSession.objects.create(user=user, ip="127.0.0.1", session_key=store.session_key)
    return store.session_key


def test_deactivate_after_confirmation(admin_client, world, admin):
    intake = world.user(Role.INTAKE)
    _started_earlier(intake)
    key = _session_for(intake)
    url = reverse("organisations:user_deactivate", args=[intake.pk])
    page = admin_client.get(url).content.decode()
    assert "It will be deactivated and logged out everywhere." in page
    assert "Cancel" in page
    response = admin_client.post(url)
    assert response.status_code == 302
    intake.refresh_from_db()
    assert not intake.is_active
    assert not SessionStore().exists(key)
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.USER_DEACTIVATED, actor=admin
    ).exists()


def test_deactivate_keeps_an_account_with_roles_elsewhere(client, world):
    teacher = world.user(Role.REPORTER, "leksand")
    _started_earlier(teacher)
    services.membership_create(
        actor=None,
        user=teacher,
        unit=world.unit(UnitKind.SCHOOL, "eksjo"),
        role=Role.REPORTER,
        valid_from=datetime.date(2025, 1, 1),
    )
    client.force_login(world.user(Role.MUNICIPAL_ADMIN, "eksjo"))
    url = reverse("organisations:user_deactivate", args=[teacher.pk])
    page = client.get(url).content.decode()
    assert "The account also has roles in another municipality." in page
    assert "Leksand school" not in page
    client.post(url)
    teacher.refresh_from_db()
    assert teacher.is_active
    assert Membership.objects.get(user=teacher, unit__municipality__name="Leksand").valid_to is None
    assert Membership.objects.get(user=teacher, unit__municipality__name="Eksjö").valid_to


def test_an_admin_can_not_deactivate_themselves(admin_client, admin):
    url = reverse("organisations:user_deactivate", args=[admin.pk])
    assert "You can not deactivate your own account." in admin_client.get(url).content.decode()
    admin_client.post(url)
    admin.refresh_from_db()
    assert admin.is_active
    assert Membership.objects.get(user=admin).valid_to is None


def test_log_out_everywhere(admin_client, world, admin):
    teacher = world.user(Role.REPORTER)
    keys = [_session_for(teacher), _session_for(teacher)]
    url = reverse("organisations:user_sessions_end", args=[teacher.pk])
    assert "Cancel" in admin_client.get(url).content.decode()
    assert all(SessionStore().exists(key) for key in keys)
    response = admin_client.post(url, follow=True)
    assert "was logged out everywhere (2 sessions ended)" in response.content.decode()
    assert not any(SessionStore().exists(key) for key in keys)
    teacher.refresh_from_db()
    assert teacher.is_active
    assert AuditEvent.objects.get(event_type=AuditEventType.SESSIONS_ENDED).actor == admin
