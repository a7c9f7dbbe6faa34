"""An automated accessibility check run in the test's own browser: axe-core (from
tests/clients, installed by `npm ci` as `./scripts/test` does) on the page as it is shown.
A test that needs it fails, saying how to get it, when it is not installed."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.remote.webdriver import WebDriver

from tests.support.node_clients import CLIENTS

AXE = CLIENTS / "node_modules" / "axe-core" / "axe.min.js"
# axe's impact levels a page may not have (minor and moderate ones are reported, not failed).
BLOCKING = ("serious", "critical")


def violations(chrome: WebDriver) -> list[str]:
    """The page's serious and critical WCAG 2.1 A/AA violations, each as "rule: where". The
    script is evaluated by the driver (DevTools), which the page's CSP does not govern."""
    if not AXE.is_file():
        pytest.fail(f"axe-core is not installed: run `npm ci` in {CLIENTS}", pytrace=False)
    chrome.execute_script(AXE.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = chrome.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
        ".then(r => done(r.violations), e => done([{id: 'axe failed', impact: 'critical',"
        " nodes: [{target: [String(e)]}]}]));"
    )
    return [
        f"{v['id']}: {', '.join(str(n['target']) for n in v['nodes'])}"
        for v in found
        if v["impact"] in BLOCKING
    ]
