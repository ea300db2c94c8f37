"""The demo surveys (``surveys.demo``): the built-ins in both municipalities, last year's and
this year's situational picture in Leksand with answers from varied sectors, drafts and
unanswered links, the analysis group, the mapping rounds; one free text with a typed name;
loading twice adds nothing."""

import pytest
from django.utils import timezone

from organisations import demo as organisations_demo
from surveys import demo
from surveys.models import AnalysisMember, Answer, Invitation, Response, Round, Template


@pytest.mark.django_db
def test_the_demo_surveys_load_once_with_varied_answers() -> None:
    today = timezone.localdate()
    organisations_demo.load(today=today)
    demo.load(today=today)
    assert Template.objects.filter(municipality__name="Leksand").count() == 3
    assert Template.objects.filter(municipality__name="Eksjö").count() == 3
    last, this = Round.objects.filter(
        municipality__name="Leksand", title__startswith="Lägesbild"
    ).order_by("opens_on")
    assert last.responses.count() == 35
    assert last.closes_on < today <= this.closes_on
    assert this.responses.count() == 30
    assert this.invitations.count() >= 40
    assert this.invitations.filter(role="principal").exists()
    assert this.invitations.filter(answered=False).exclude(draft={}).count() == 3
    assert this.invitations.filter(answered=False, draft={}).exists()
    assert len(set(last.responses.values_list("sector", flat=True))) >= 5
    assert AnalysisMember.objects.filter(round=this).count() == 4
    assert Round.objects.filter(municipality__name="Eksjö").count() == 2
    assert Round.objects.filter(
        municipality__name="Leksand", title__startswith="Kartläggning"
    ).exists()
    assert Answer.objects.filter(text__startswith="Pelle i 8B").count() == 1
    # The situational picture's measures do not all say the same.
    for key in ("alcohol", "online", "crime"):
        options = set(
            Answer.objects.filter(response__round=this, question__key=key).values_list(
                "option", flat=True
            )
        )
        assert len(options) >= 3, key
    counts = (Response.objects.count(), Answer.objects.count(), Invitation.objects.count())
    demo.load(today=today)
    assert (Response.objects.count(), Answer.objects.count(), Invitation.objects.count()) == counts
