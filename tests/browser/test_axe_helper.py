"""The axe helper itself: it must find real problems and say clearly where they are."""

import pytest
from playwright.sync_api import Page, Route

from tests.browser.axe import check_axe

BROKEN_PAGE = b"""<!DOCTYPE html>
<html><head><title>Broken</title></head>
<body><main><h1>Broken</h1><img src="/missing.png"><input type="text"></main></body></html>
"""


@pytest.mark.usefixtures("live_server")
def test_check_axe_reports_rule_impact_target_and_help(page: Page) -> None:
    def fulfil(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html", body=BROKEN_PAGE)

    page.route("**/__test-tools__/broken.html", fulfil)
    page.goto("/__test-tools__/broken.html")

    with pytest.raises(AssertionError) as failure:
        check_axe(page)

    message = str(failure.value)
    assert "/__test-tools__/broken.html" in message
    assert "- html-has-lang (serious):" in message
    assert "- image-alt (critical):" in message
    assert "  at img" in message
    assert "- label (critical):" in message
    assert "https://dequeuniversity.com/rules/axe/" in message
