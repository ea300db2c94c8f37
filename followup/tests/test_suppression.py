"""Small numbers: 1–4 suppressed, a total never gives a part away, staff counts shown."""

from followup.suppression import Cell, Protection, protect_parts, share_shown

CHILDREN = Protection.CHILDREN


def _texts(cells: list[Cell]) -> list[str]:
    return [str(cell) for cell in cells]


def test_one_to_four_is_suppressed_zero_and_five_are_shown() -> None:
    cells, total = protect_parts([0, 5, 12], 17, CHILDREN)
    assert _texts(cells) == ["0", "5", "12"]
    assert str(total) == "17"


def test_a_single_suppressed_part_hides_the_smallest_other() -> None:
    cells, total = protect_parts([3, 40, 12, 0], 55, CHILDREN)
    # 55 − 40 − 0 would give 15 for the two unknowns together, not 3 alone.
    assert _texts(cells) == ["<5", "40", "–", "0"]
    assert str(total) == "55"


def test_two_suppressed_parts_protect_each_other() -> None:
    cells, total = protect_parts([3, 2, 40], 45, CHILDREN)
    assert _texts(cells) == ["<5", "<5", "40"]
    assert str(total) == "45"


def test_a_total_made_of_one_small_part_is_suppressed() -> None:
    cells, total = protect_parts([0, 3], 3, CHILDREN)
    assert _texts(cells) == ["0", "<5"]
    assert str(total) == "<5"


def test_staff_counts_are_shown_as_they_are() -> None:
    cells, total = protect_parts([1, 2, 9], 12, Protection.STAFF)
    assert _texts(cells) == ["1", "2", "9"]
    assert str(total) == "12"


def test_a_share_needs_both_counts_shown() -> None:
    assert share_shown(Cell(6), Cell(8), CHILDREN)
    assert not share_shown(Cell(3, suppressed=True), Cell(8), CHILDREN)
    assert not share_shown(Cell(6), Cell(9, hidden=True), CHILDREN)
    # An outcome about children: 9 of 10 means one child without it.
    assert not share_shown(Cell(9), Cell(10), Protection.CHILDREN_OUTCOME)
    assert share_shown(Cell(5), Cell(10), Protection.CHILDREN_OUTCOME)
