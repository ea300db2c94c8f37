"""Typed shortcuts to the shared factories (their calls are typed as the factory class)."""

from typing import Any, cast

from organisations.models import Unit, User
from tests.factories import UnitFactory, UserFactory


def new_user(**fields: Any) -> User:
    return cast(User, UserFactory(**fields))


def new_unit(**fields: Any) -> Unit:
    return cast(Unit, UnitFactory(**fields))
