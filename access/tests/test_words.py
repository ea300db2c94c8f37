"""Words, not codes: every rule that can allow a logged read, every audit event type and every
choice of our models has a name, in Swedish as well as in English, and the pages and the Django
admin show the name."""

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

from access.models import AccessAction, AuditEventType
from access.policies import Policy, policy_classes, rule_label
from access.selectors import AccessLogPolicy
from access.services import access_log_record, audit_event_record
from organisations.models import Role, User
from organisations.selectors import memberships_of
from tests.world import World

OUR_APPS = {"access", "organisations", "reports", "wheel", "governance", "audits", "followup"}


def _in_both_languages(label: str | Promise) -> tuple[str, str]:
    with translation.override("en"):
        english = str(label)
    with translation.override("sv"):
        swedish = str(label)
    return english, swedish


def _logging_policies() -> list[type[Policy]]:
    """The policies whose grants' rules end up in the access log: those that log the reads
    of their objects, and the log review's own (an admin's lookup of a child is logged)."""
    found = [
        policy
        for policy in policy_classes()
        if policy.logs_reads and ".tests." not in policy.__module__
    ]
    assert found, "no policy logs reads: are the apps loaded?"
    return [*found, AccessLogPolicy]


def test_every_rule_a_logged_read_can_carry_has_a_name_in_both_languages(world: World) -> None:
    """Each policy's grants, for every action and every user of the test world, carry a rule
    the policy names; each name is translated."""
    seen: set[str] = set()
    for policy_class in _logging_policies():
        policy = policy_class()
        for action in policy.actions:
            for place in world.places.values():
                for user in place.users.values():
                    for grant in policy.grants(user, action):
                        assert grant.rule in policy.rule_labels, (policy_class, grant.rule)
                        seen.add(grant.rule)
        for rule, label in policy.rule_labels.items():
            english, swedish = _in_both_languages(label)
            assert english != rule
            assert swedish != english, f"no Swedish for the rule {rule!r}"
    assert {"author", "principal_of_school", "intake_of_municipality", "municipal_admin"} <= seen


def test_a_rule_nobody_names_is_shown_as_it_was_logged() -> None:
    assert rule_label("a_retired_rule") == "a_retired_rule"
    with translation.override("sv"):
        assert rule_label("principal_of_school") == "Rektor för skolan som anmälan kom från"


@pytest.mark.parametrize("event_type", list(AuditEventType))
def test_every_audit_event_type_has_a_name_in_both_languages(event_type: AuditEventType) -> None:
    english, swedish = _in_both_languages(event_type.label)
    assert english != event_type.value
    assert swedish != english, f"no Swedish for {event_type.value!r}"


def test_every_choice_of_our_models_has_a_swedish_name() -> None:
    """Statuses, kinds, roles, actions: whatever a page shows of a choice is its name."""
    missing = []
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        for field in model._meta.get_fields():
            # django-simple-history's own "+ ~ -" of its history rows are not ours to name.
            if field.name == "history_type" or not getattr(field, "choices", None):
                continue
            for value, label in field.flatchoices:  # type: ignore[union-attr]
                english, swedish = _in_both_languages(label)
                if english == swedish:
                    missing.append(f"{model._meta.label}.{field.name}={value!r}")
    assert not missing, missing


def test_the_django_admin_lists_show_names_not_codes(client: Client, world: World, totp) -> None:
    root = User.objects.create_superuser("root", "root@example.org", "a-long-test-password-1")
    totp(root)  # the admin is behind two-factor
    intake = world.user(Role.INTAKE)
    access_log_record(
        user=intake,
        municipality=world.municipality(),
        obj=world.municipality(),
        child_ref="c-1",
        action=AccessAction.VIEW,
        rule="intake_of_municipality",
        membership=memberships_of(intake)[0],
    )
    audit_event_record(
        actor=root,
        municipality=world.municipality(),
        event_type=AuditEventType.REPORT_SUBMITTED,
        obj=world.municipality(),
    )
    client.force_login(root)
    swedish = {"Accept-Language": "sv"}
    client.cookies["django_language"] = "sv"
    events = client.get(reverse("admin:access_auditevent_changelist"), headers=swedish)
    page = events.content.decode()
    assert page.count("Orosanmälan inskickad") >= 2  # the column and the filter
    assert ">report_submitted<" not in page
    assert ">organisations.municipality<" not in page  # the object's kind by name
    log = client.get(reverse("admin:access_accesslog_changelist"), headers=swedish)
    page = log.content.decode()
    assert "Socialsekreterare, mottagning" in page
    assert "Mottagningen i kommunen som handlägger anmälan" in page
