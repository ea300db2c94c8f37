import pytest

from core.keyset import rows_after, rows_up_to
from organisations.models import Municipality


def test_a_cursor_needs_one_value_per_field() -> None:
    with pytest.raises(ValueError, match="one value per field"):
        rows_after(("name", "id"), ("Leksand",), descending=False)
    with pytest.raises(ValueError, match="one value per field"):
        rows_after((), (), descending=True)


@pytest.mark.django_db
def test_rows_after_is_one_row_comparison_in_either_direction() -> None:
    # Ties on the first field are the inbox tests' business (many reports due at one moment).
    made = [
        Municipality.objects.create(name=name, code=code)
        for name, code in [("Arboga", "9001"), ("Borås", "9002"), ("Eksjö", "9003")]
    ]
    ours = Municipality.objects.filter(pk__in=[item.pk for item in made])
    after = ours.order_by("code", "id").filter(
        rows_after(("code", "id"), ("9001", made[0].pk), descending=False)
    )
    assert list(after) == made[1:]
    before = ours.order_by("-code", "-id").filter(
        rows_after(("code", "id"), ("9003", made[2].pk), descending=True)
    )
    assert list(before) == [made[1], made[0]]
    sql = str(after.query)
    assert " OR " not in sql
    assert '"code", "organisations_municipality"."id") >' in sql


@pytest.mark.django_db
def test_rows_up_to_includes_the_bound_and_is_one_row_comparison() -> None:
    made = [
        Municipality.objects.create(name=name, code=code)
        for name, code in [("Arboga", "9001"), ("Borås", "9002"), ("Eksjö", "9003")]
    ]
    ours = Municipality.objects.filter(pk__in=[item.pk for item in made]).order_by("name", "code")
    # ("Borås", "9002") is the bound: Arboga before it, Borås itself, not Eksjö after it.
    up_to = ours.filter(rows_up_to(("name", "code"), ("Borås", "9002")))
    assert list(up_to) == made[:2]
    assert " OR " not in str(up_to.query)
    with pytest.raises(ValueError, match="one value per field"):
        rows_up_to(("code",), ())
