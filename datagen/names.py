"""Invented names: of municipalities, schools, staff and children. Nothing here names a real
person; municipality names are made of common place-name parts, and only the single-
municipality profiles borrow a real name (Leksand, Göteborg) for the reader's orientation."""

import random

PLACE_STARTS = (
    "Björk", "Ek", "Gran", "Lind", "Sjö", "Berg", "Ås", "Dal", "Ström", "Holm",
    "Norr", "Söder", "Väster", "Öster", "Hag", "Lid", "Mo", "Sand", "Sten", "Vik",
)  # fmt: skip
PLACE_ENDS = (
    "köping", "by", "berga", "hult", "torp", "sjö", "vik", "holm", "dal", "ås",
    "näs", "fors", "lunda", "stad", "hamn",
)  # fmt: skip
SCHOOL_WORDS = (
    "skolan", "skola F–6", "skola 7–9", "gymnasium", "förskola", "skola F–9",
)  # fmt: skip
FIRST_NAMES = (
    "Alva", "Elsa", "Maja", "Wilma", "Ella", "Saga", "Nora", "Alice", "Vera", "Ebba",
    "Liam", "Noah", "William", "Hugo", "Oscar", "Lucas", "Elias", "Adam", "Ali", "Leo",
    "Amir", "Sara", "Omar", "Fatima", "Nils", "Tove", "Kim", "Sam", "Iris", "Bo",
)  # fmt: skip
LAST_NAMES = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Lindberg", "Lindqvist",
    "Berg", "Holm", "Ek", "Sandberg", "Ahmed", "Hassan", "Mohammed", "Virtanen", "Novak",
)  # fmt: skip


def municipality_name(index: int) -> str:
    """A unique invented name for the municipality of this index (up to 300)."""
    start = PLACE_STARTS[index % len(PLACE_STARTS)]
    end = PLACE_ENDS[(index // len(PLACE_STARTS)) % len(PLACE_ENDS)]
    return start + end


def person(rng: random.Random) -> tuple[str, str]:
    """A first and a last name."""
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
