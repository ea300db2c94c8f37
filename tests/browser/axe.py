"""axe-core in the browser tests: every page a test visits is checked for WCAG 2.1 A/AA problems.

The pages send a Content Security Policy that only allows our own scripts (with a nonce), and
the tests keep that policy on: axe is served through a Playwright route on the page's own origin
(see ``serve_axe``), so ``add_script_tag(url=AXE_URL)`` is an ordinary same-origin script.
"""

from pathlib import Path
from typing import Any

from django.conf import settings
from playwright.sync_api import BrowserContext, Page, Route

AXE_SOURCE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# Never reaches the server: the route below answers it inside the browser.
AXE_URL = "/__test-tools__/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
MAX_NODES_SHOWN = 5

_RUN_AXE = """async (tags) => {
    const results = await axe.run(document, {
        runOnly: {type: "tag", values: tags},
        resultTypes: ["violations"],
    });
    return results.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        helpUrl: violation.helpUrl,
        nodes: violation.nodes.map((node) => ({
            target: node.target.join(" "),
            summary: node.failureSummary,
        })),
    }));
}"""


def serve_axe(context: BrowserContext) -> None:
    """Answer requests for ``AXE_URL`` on any origin with the axe-core file from node_modules."""
    source = AXE_SOURCE.read_bytes()

    def fulfil(route: Route) -> None:
        route.fulfill(status=200, content_type="text/javascript", body=source)

    context.route(f"**{AXE_URL}", fulfil)


def format_violations(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{len(violations)} accessibility rule(s) violated on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"][:MAX_NODES_SHOWN]:
            lines.append(f"  at {node['target']}")
            for detail in (node["summary"] or "").splitlines():
                lines.append(f"     {detail}")
        hidden = len(violation["nodes"]) - MAX_NODES_SHOWN
        if hidden > 0:
            lines.append(f"  ... and {hidden} more element(s)")
    return "\n".join(lines)


def check_axe(page: Page) -> None:
    """Run axe on the current page and fail the test if it finds any violation."""
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(url=AXE_URL)
    violations = page.evaluate(_RUN_AXE, AXE_TAGS)
    assert not violations, format_violations(page.url, violations)
