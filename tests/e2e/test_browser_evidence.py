"""What a browser test that fails keeps (tests/support/browser_evidence.py), in a real Chromium on
the closed network: the failure goes on, named with the files; the screenshot and the page's
text, a field's value, a GraphQL request that failed with its operation, and the console."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.browser import closed_network_chromium
from tests.support.browser_evidence import kept_on_failure
from tests.support.processes import free_port

# A form whose field the page filled, and a mutation sent to a port nothing listens on.
PAGE = """data:text/html,<h1>Opening a plan</h1><input id=vendor value=vendor-h disabled>
<script>window.sent = fetch('http://127.0.0.1:{port}/graphql', {{method: 'POST',
  body: JSON.stringify({{query: 'mutation ConsoleCreatePlan {{ x }}'}})}}).catch(() => null);
</script>"""


def test_a_failed_browser_test_keeps_what_its_page_showed(tmp_path: Path) -> None:
    with (
        pytest.raises(AssertionError, match="the receipt") as failed,
        closed_network_chromium() as chrome,
        kept_on_failure(chrome, tmp_path),
    ):
        chrome.get(PAGE.format(port=free_port()))
        # Once the request has failed (nothing listens there).
        chrome.execute_async_script("const done = arguments[0]; window.sent.then(() => done());")
        raise AssertionError("the receipt never showed")
    name = "test_browser_evidence.py-test_a_failed_browser_test_keeps_what_its_page_showed"
    text, picture = tmp_path / f"{name}.txt", tmp_path / f"{name}.png"
    assert failed.value.__notes__ == [f"what the page showed: {text} and {picture}"]
    assert picture.read_bytes().startswith(b"\x89PNG")
    kept = text.read_text(encoding="utf-8")
    assert "AssertionError: the receipt never showed" in kept
    assert "Opening a plan" in kept
    assert "vendor\tvendor-h\tdisabled" in kept
    assert "/graphql mutation ConsoleCreatePlan  → failed after" in kept
    assert "net::ERR_CONNECTION_REFUSED" in kept
    assert "SEVERE" in kept  # the console's line for the request that failed
