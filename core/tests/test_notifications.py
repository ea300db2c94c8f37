import pytest
from django.urls import reverse

from core.models import Notification
from core.notifications import SHOWN, notify
from organisations.models import Role
from tests.matrix import LOGIN, assert_matrix

URL = reverse("core:notifications")


@pytest.fixture(autouse=True)
def _two_factor_set_up(request):
    """Where a test uses the world, its users have TOTP (the root conftest's fixture)."""
    if "world" in request.fixturenames:
        request.getfixturevalue("two_factor_set_up")


def _note(user, text, key=None, **values):
    return Notification.objects.create(
        user=user, text=text, dedupe_key=key or f"test:{text}", **values
    )


def test_every_signed_in_user_has_the_page(client, world):
    everyone = [user for place in world.places.values() for user in place.users.values()]
    assert_matrix(client, URL, [(None, LOGIN), *[(user, 200) for user in everyone]])


def test_a_user_sees_only_their_own_notifications_newest_first(client, world):
    intake, teacher = world.user(Role.INTAKE), world.user(Role.REPORTER)
    _note(intake, "Older message", url="/anmalan/")
    _note(intake, "Newer message")
    _note(teacher, "Someone else's message")
    client.force_login(intake)
    page = client.get(URL).content.decode()
    assert page.index("Newer message") < page.index("Older message")
    assert "Someone else&#x27;s message" not in page
    assert "Someone else" not in page
    assert '<a href="/anmalan/">Older message</a>' in page


def test_the_header_shows_the_unread_count(client, world):
    intake = world.user(Role.INTAKE)
    _note(intake, "One")
    _note(intake, "Two")
    _note(intake, "Read", read_at="2026-01-01T00:00:00Z")
    _note(world.user(Role.REPORTER), "Not mine")
    client.force_login(intake)
    page = client.get(reverse("core:start")).content.decode()
    assert f'<a href="{URL}">Notifications (2)</a>' in page


@pytest.mark.django_db
def test_anonymous_pages_do_not_count_notifications(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        page = client.get(reverse("core:accessibility")).content.decode()
    assert "Notifications (" not in page


def test_marking_one_as_read(client, world):
    intake = world.user(Role.INTAKE)
    note, other = _note(intake, "First"), _note(intake, "Second")
    client.force_login(intake)
    response = client.post(URL, {"notification": note.pk})
    assert response.status_code == 302
    assert response["Location"] == URL
    note.refresh_from_db()
    other.refresh_from_db()
    assert note.read_at is not None
    assert other.read_at is None
    assert "Notifications (1)" in client.get(URL).content.decode()


def test_another_users_notification_is_not_found(client, world):
    mine = _note(world.user(Role.INTAKE), "Mine")
    theirs = _note(world.user(Role.INTAKE, "eksjo"), "Theirs")
    assert_matrix(
        client,
        URL,
        [
            (None, LOGIN),
            (world.user(Role.INTAKE), 404),
            (world.user(Role.MUNICIPAL_ADMIN), 404),
        ],
        method="post",
        data={"notification": theirs.pk},
    )
    theirs.refresh_from_db()
    assert theirs.read_at is None
    client.force_login(world.user(Role.INTAKE))
    for bad in (str(theirs.pk + mine.pk + 1000), "x", ""):
        assert client.post(URL, {"notification": bad}).status_code == 404
    assert client.post(URL, {"notification": mine.pk}).status_code == 302


def test_marking_all_as_read_touches_only_ones_own(client, world):
    intake = world.user(Role.INTAKE)
    _note(intake, "First")
    _note(intake, "Second")
    theirs = _note(world.user(Role.REPORTER), "Theirs")
    client.force_login(intake)
    response = client.post(URL, {"all": "1"}, follow=True)
    assert "2 notifications marked as read." in response.content.decode()
    assert not Notification.objects.filter(user=intake, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert "Mark all as read" not in client.get(URL).content.decode()


def test_links_outside_the_site_are_not_shown(client, world):
    intake = world.user(Role.INTAKE)
    _note(intake, "Evil", url="https://example.com/")
    _note(intake, "Sneaky", url="//example.com/")
    _note(intake, "Script", url="javascript:alert(1)")
    client.force_login(intake)
    page = client.get(URL).content.decode()
    assert "example.com" not in page
    assert "javascript:" not in page


def test_the_page_shows_the_latest_and_costs_the_same_queries(
    client, world, django_assert_num_queries
):
    intake = world.user(Role.INTAKE)
    for number in range(5):
        _note(intake, f"Message {number}")
    client.force_login(intake)
    client.get(URL)
    # the user and the list (the session, the memberships and the unread count in the header
    # are in the shared cache after the first request)
    with django_assert_num_queries(2):
        client.get(URL)
    Notification.objects.bulk_create(
        Notification(user=intake, text=f"More {n}", dedupe_key=f"more:{n}") for n in range(150)
    )
    # The unread count again: the new notifications changed it.
    with django_assert_num_queries(3):
        page = client.get(URL).content.decode()
    assert page.count('name="notification"') == SHOWN
    assert f"The {SHOWN} latest notifications are shown." in page


def test_notify_creates_once_per_user_and_key(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    intake, admin = world.user(Role.INTAKE), world.user(Role.MUNICIPAL_ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(users=[intake], text="Hello", url="/", dedupe_key="k", email_subject="S")
        second = notify(
            users=[intake, admin], text="Hello", url="/", dedupe_key="k", email_subject="S"
        )
    assert [n.user for n in first] == [intake]
    assert [n.user for n in second] == [admin]
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted([intake.email, admin.email])


def test_a_failing_mail_server_does_not_break_the_notification(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr("core.notifications.send_mail", broken)
    with django_capture_on_commit_callbacks(execute=True):
        created = notify(
            users=[world.user(Role.INTAKE)], text="Hi", url="/", dedupe_key="k", email_subject="S"
        )
    assert len(created) == 1
