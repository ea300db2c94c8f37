"""Missing Chromium or axe-core skips the browser tests on a laptop, but fails them in CI."""

from pathlib import Path

import pytest

from tests.browser import conftest


@pytest.fixture
def no_chromium(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conftest.shutil, "which", lambda _name: None)


@pytest.mark.usefixtures("no_chromium")
def test_missing_chromium_skips_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        conftest.require_browser_tools()


@pytest.mark.usefixtures("no_chromium")
@pytest.mark.parametrize("value", ["true", "1", "yes"])
def test_missing_chromium_fails_in_ci(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match="no test may be skipped in CI"):
        conftest.require_browser_tools()


def test_missing_axe_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conftest, "AXE_SOURCE", Path("/nonexistent/axe.min.js"))
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="axe-core is not installed"):
        conftest.require_browser_tools()
