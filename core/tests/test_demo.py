import pytest
from django.core.management import CommandError, call_command

from access.models import AuditEvent
from organisations.demo import DEMO_PASSWORD, USERS
from organisations.models import Membership, Municipality, Role, SchoolTerm, Unit, User


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Municipality, Unit, User, Membership, SchoolTerm, AuditEvent)
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_mode")
def test_demo_data_is_complete_and_idempotent(capsys):
    call_command("demo_data")
    first = _counts()
    call_command("demo_data")
    assert _counts() == first

    assert set(Municipality.objects.values_list("code", flat=True)) == {"2029", "0686"}
    for place in ("leksand", "eksjo"):
        for spec in USERS:
            user = User.objects.get(username=f"{spec.name}.{place}")
            assert user.check_password(DEMO_PASSWORD)
            assert user.memberships.filter(role=spec.role).exists()
    # Every role a person can hold is represented (the SIP participant at the clinic, BUP).
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    assert SchoolTerm.objects.filter(municipality__code="2029").count() == 6
    output = capsys.readouterr().out
    assert "teacher.leksand" in output
    assert DEMO_PASSWORD in output


@pytest.mark.django_db
def test_demo_data_refuses_without_demo_mode():
    with pytest.raises(CommandError):
        call_command("demo_data")
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_mode")
def test_every_demo_user_can_log_in_and_sees_a_start_page(client):
    call_command("demo_data")
    for user in User.objects.all():
        client.logout()
        response = client.post(
            "/accounts/login/", {"login": user.username, "password": DEMO_PASSWORD}, follow=True
        )
        assert response.status_code == 200, user.username
        assert response.wsgi_request.user == user
        assert response.redirect_chain[-1][0] == "/", user.username
        assert "Demo" in response.content.decode()
