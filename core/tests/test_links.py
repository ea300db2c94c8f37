"""A row link is the URL ``reverse()`` gives, for any id and under a script prefix."""

import uuid

from django.urls import reverse, set_script_prefix

from core.links import RowLink


def test_a_row_link_is_what_reverse_gives():
    link = RowLink("reports:intake_detail")
    for public_id in (uuid.uuid4(), uuid.UUID(int=0), uuid.UUID(int=2**128 - 1)):
        assert link(public_id) == reverse("reports:intake_detail", args=[public_id])


def test_a_numbered_row_link_is_what_reverse_gives():
    link = RowLink("organisations:user_detail", numbered=True)
    for pk in (1, 42, 987654321, 2**63 - 1):
        assert link(pk) == reverse("organisations:user_detail", args=[pk])


def test_a_row_link_keeps_the_script_prefix():
    set_script_prefix("/samverkan/")
    try:
        public_id = uuid.uuid4()
        link = RowLink("reports:intake_detail")
        assert link(public_id).startswith("/samverkan/")
        assert link(public_id) == reverse("reports:intake_detail", args=[public_id])
    finally:
        set_script_prefix("/")
