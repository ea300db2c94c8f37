import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.attention import start_sections
from organisations import services as organisation_services
from organisations.models import Role
from organisations.selectors import forget_memberships, memberships_with_role
from reports.attention import intake_attention, reporter_attention
from reports.models import Decision, Feedback
from reports.tests.builders import advance, draft, submitted

pytestmark = pytest.mark.usefixtures("english")

DAY = datetime.timedelta(days=1)


def _items(user, role):
    for section in start_sections(user):
        if section.role == role:
            return [(str(item.text), item.url, item.severity) for item in section.items]
    return []


def test_the_intake_sees_overdue_and_unreceived_counts_of_its_municipality(world):
    now = timezone.now()
    intake = world.user(Role.INTAKE)
    for _ in range(2):
        advance(submitted(world, now=now - 20 * DAY), "received", intake=intake)
    submitted(world, now=now - 2 * DAY)  # unreceived and past its protection deadline
    submitted(world, now=now - 20 * DAY, author=world.user(Role.REPORTER, "eksjo"))
    inbox = reverse("reports:inbox")
    assert _items(intake, Role.INTAKE) == [
        ("3 reports have an overdue step.", inbox + "?overdue=1", "danger"),
        ("1 report has not been received yet.", inbox + "?status=submitted", "warning"),
    ]
    eksjo = world.user(Role.INTAKE, "eksjo")
    assert _items(eksjo, Role.INTAKE) == [
        ("1 report has an overdue step.", inbox + "?overdue=1", "danger"),
        ("1 report has not been received yet.", inbox + "?status=submitted", "warning"),
    ]


def test_an_intake_with_nothing_waiting_has_no_items(world):
    assert _items(world.user(Role.INTAKE), Role.INTAKE) == []


def test_the_reporter_sees_unsent_drafts_and_new_feedback(world):
    teacher, intake = world.user(Role.REPORTER), world.user(Role.INTAKE)
    draft(world)
    draft(world)
    recent = timezone.now() - 5 * DAY
    answered = advance(
        submitted(world, now=recent - 10 * DAY),
        "feedback_given",
        intake=intake,
        now=recent,
        decision=Decision.NOT_OPENED,
        feedback=Feedback.NOT_OPENED,
    )
    # Feedback long ago is not news.
    advance(submitted(world, now=timezone.now() - 90 * DAY), "closed", intake=intake)
    mine = reverse("reports:my_reports")
    # Several drafts: the list; one report with feedback: that report, one click away.
    assert _items(teacher, Role.REPORTER) == [
        ("2 drafts not submitted.", mine + "#drafts", "warning"),
        (
            "Feedback received on 1 report.",
            reverse("reports:status", args=[answered.public_id]),
            "info",
        ),
    ]
    # Someone else's drafts are not the principal's business.
    assert _items(world.user(Role.PRINCIPAL), Role.PRINCIPAL) == []


def test_a_single_draft_opens_in_one_click(world):
    teacher = world.user(Role.REPORTER)
    only = draft(world)
    draft(world, author=world.user(Role.REPORTER, "eksjo"))  # someone else's
    assert _items(teacher, Role.REPORTER) == [
        (
            "1 draft not submitted.",
            reverse("reports:draft_edit", args=[only.public_id]),
            "warning",
        )
    ]


def test_a_user_with_two_reporter_roles_sees_the_items_once(world):
    teacher = world.user(Role.REPORTER)
    organisation_services.membership_create(
        actor=None, user=teacher, unit=world.unit("student_health"), role=Role.STUDENT_HEALTH
    )
    forget_memberships(teacher)
    draft(world)
    sections = {section.role: section.items for section in start_sections(teacher)}
    assert [str(item.text) for item in sections[Role.REPORTER]] == ["1 draft not submitted."]
    assert sections[Role.STUDENT_HEALTH] == []


def test_each_provider_costs_one_query(world, django_assert_num_queries):
    intake, teacher = world.user(Role.INTAKE), world.user(Role.REPORTER)
    submitted(world, now=timezone.now() - 2 * DAY)
    draft(world)
    intake_memberships = memberships_with_role(intake, [Role.INTAKE])
    teacher_memberships = memberships_with_role(teacher, [Role.REPORTER])
    with django_assert_num_queries(1):
        assert intake_attention(intake, intake_memberships)
    with django_assert_num_queries(1):
        assert reporter_attention(teacher, teacher_memberships)
