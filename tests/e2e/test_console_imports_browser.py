"""Import reports in the console, in a real Chromium against a real `vendorwatch up`: a
sanction authority finds an import in the list, opens its report and reads a refused row with
its line and reason and the candidates for review, and is told who decides them (the API lets
procurement officers and admins record `reviewMatch`, not the readers of import reports); an
admin decides a candidate, the API's refusal of a decision without its reason shown at the
field. Before, the reports were read only through GraphiQL with a pasted token."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from services.platform.security.auth import Role
from tests.support import principals
from tests.support.console_browser import (
    assert_only_the_api_was_reached,
    attribute,
    console_chromium,
    fill,
    in_japanese,
    origin,
    screenshot,
    shown,
    sign_in_with,
    until,
)
from tests.support.event_examples import envelope_now, example
from tests.support.processes import System, wait_until

pytestmark = pytest.mark.postgres

KNOWN = "vendor-b"
REGISTERED = envelope_now("vendor.registered", {"legal_name": "B System Co., Ltd."}, KNOWN)
# The example report: 1 row refused (line 12), 1 candidate (line 40) that may be vendor-b.
PAYLOAD = example("import.reported")
REPORT = envelope_now("import.reported", PAYLOAD, f"import:{PAYLOAD['source']}")
(REFUSED,) = PAYLOAD["refused"]
(CANDIDATE,) = PAYLOAD["review"]
IMPORTS = "{ imports { totalCount } }"
HISTORY = "query ($v: ID!) { events(vendorId: $v) { edges { node { eventType payload } } } }"


def the_report_imported(system: System, tmp_path: Path) -> None:
    events = tmp_path / "report.jsonl"
    lines = [REGISTERED, REPORT]
    events.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    system.publish(events)
    wait_until(
        lambda: system.client.data(IMPORTS)["imports"]["totalCount"] == 1, "the import's report"
    )


def open_the_report(chrome: Any, system: System, role: Role) -> None:
    chrome.get(f"{origin(system)}/")
    sign_in_with(chrome, principals.token(role))
    shown(chrome, ".who")
    chrome.find_element(By.CSS_SELECTOR, "nav a[href='#/imports']").click()
    row = shown(chrome, f"tr[data-report='{REPORT['event_id']}']")
    # Source and file, rows read, what it imported, refused, already over, for review.
    for said in ("worldbank", PAYLOAD["file_name"], "1286", "1285 imposed"):
        assert said in row, (said, row)
    chrome.find_element(By.CSS_SELECTOR, f"tr[data-report='{REPORT['event_id']}'] a").click()
    shown(chrome, "#refused-title")


def test_a_sanction_authority_reads_an_imports_refused_rows_and_candidates(
    embedded: System, tmp_path: Path
) -> None:
    the_report_imported(embedded, tmp_path)
    with console_chromium() as chrome:
        open_the_report(chrome, embedded, Role.SANCTION_AUTHORITY)
        assert chrome.execute_script("return location.hash") == f"#/import/{REPORT['event_id']}"
        assert shown(chrome, "#refused-title") == "1 row refused"
        refused = shown(chrome, f"table.refused-rows tr[data-line='{REFUSED['line']}']")
        assert refused == f"{REFUSED['line']} {REFUSED['reason']}", refused
        candidate = shown(chrome, f"table.candidates-review tr[data-line='{CANDIDATE['line']}']")
        for said in (
            CANDIDATE["name"],
            CANDIDATE["candidate_name"],
            KNOWN,
            "93.5",
            CANDIDATE["why"],
        ):
            assert said in candidate, (said, candidate)
        # The decision is not the authority's to record: said, no form the API would refuse.
        note = shown(chrome, "[data-locked=reviewMatch]")
        assert "your role (sanction authority) may read the candidates, not decide" in note, note
        assert chrome.find_elements(By.ID, "review") == []
        screenshot(chrome, "sanction-authority-import-report")
        in_japanese(chrome)
        until(
            chrome,
            lambda c: c.find_element(By.ID, "refused-title").text == "拒否した行 1 件",
            "the report in Japanese",
        )
        assert_only_the_api_was_reached(chrome, embedded)


def test_an_admin_decides_a_review_candidate(embedded: System, tmp_path: Path) -> None:
    the_report_imported(embedded, tmp_path)
    with console_chromium() as chrome:
        open_the_report(chrome, embedded, Role.ADMIN)
        shown(chrome, "#review-candidate")
        chrome.find_element(
            By.CSS_SELECTOR, "#review-payload-decision option[value=NOT_SAME]"
        ).click()
        chrome.find_element(By.CSS_SELECTOR, "#review button[type=submit]").click()
        # No reason: the API's refusal, at the field.
        error = shown(chrome, "#review-payload-reason-error")
        assert "payload.reason" not in error and error, error
        assert attribute(chrome, "#review-payload-reason", "aria-invalid") == "true"
        fill(chrome, "review-payload-reason", "another address and representative (登記簿)")
        chrome.find_element(By.CSS_SELECTOR, "#review button[type=submit]").click()
        assert shown(chrome, "#review .accepted").startswith("Recorded (event ")
        screenshot(chrome, "admin-import-review-decided")
        assert_only_the_api_was_reached(chrome, embedded)
    history = embedded.client.data(HISTORY, v=KNOWN)["events"]["edges"]
    (decision,) = [
        e["node"]["payload"] for e in history if e["node"]["eventType"] == "vendor.match_reviewed"
    ]
    assert decision["decision"] == "not_same" and decision["bidder_name"] == CANDIDATE["name"]
