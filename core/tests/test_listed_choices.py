"""Model choice fields on busy pages read their choices with one plain query (no server-side
cursor on PostgreSQL) and keep them for the next rendering."""

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.forms import ListedChoiceIterator
from organisations.models import Role, User

pytestmark = pytest.mark.django_db


class _PersonField(forms.ModelChoiceField):
    iterator = ListedChoiceIterator


class _Form(forms.Form):
    person = _PersonField(queryset=User.objects.order_by("username"), empty_label="Ingen")


def test_the_choices_are_one_plain_query_kept_for_the_next_rendering(world):
    form = _Form()
    with CaptureQueriesContext(connection) as queries:
        first = str(form["person"])
        second = str(form["person"])
    assert first == second
    assert len(queries) == 1
    assert "DECLARE" not in queries[0]["sql"].upper()
    names = list(User.objects.order_by("username").values_list("username", flat=True))
    field = form.fields["person"]
    assert isinstance(field, forms.ModelChoiceField)
    options = [label for _value, label in ListedChoiceIterator(field)]
    assert options[0] == "Ingen"
    assert len(options) == len(names) + 1
    assert world.user(Role.INTAKE).username in first


def test_the_choices_are_what_djangos_own_iterator_gives(world):
    class Plain(forms.Form):
        person = forms.ModelChoiceField(queryset=User.objects.order_by("username"))

    class Listed(forms.Form):
        person = _PersonField(queryset=User.objects.order_by("username"))

    assert str(Listed()["person"]) == str(Plain()["person"])
    chosen = world.user(Role.INTAKE)
    bound = Listed({"person": chosen.pk})
    assert bound.is_valid()
    assert bound.cleaned_data["person"] == chosen
    assert not Listed({"person": 0}).is_valid()
