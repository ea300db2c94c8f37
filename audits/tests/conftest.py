import pytest


@pytest.fixture(autouse=True)
def _two_factor_set_up(request):
    """Where a test uses the world, its users have TOTP (the root conftest's
    ``two_factor_set_up``), so that pages are reached the way they are in production."""
    if "world" in request.fixturenames:
        request.getfixturevalue("two_factor_set_up")


@pytest.fixture(autouse=True)
def _english(english):
    """Texts made outside a request are checked in English too."""
