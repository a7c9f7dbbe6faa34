"""Why an auditor's vendor was refused, in a real Chromium against a real `vendorwatch up`: the
refused entry of the vendor's history says why (its `eventStatus` dead letters: it said only
"the dead letters say why", which the console never showed), and the vendor's page links to
its dead letters, the input refused at ingest included (in no history: the log never held it).
A role that may not read dead letters is offered neither the link nor the page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from services.platform.security.auth import Role
from tests.support import principals
from tests.support.console_browser import (
    console_chromium,
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

VENDOR = "refused-co"
REGISTERED = envelope_now("vendor.registered", {"legal_name": "Refused Works KK"}, VENDOR)
# The registry refuses a lift of a sanction it does not hold.
LIFT = envelope_now("sanction.lifted", example("sanction.lifted", sanction_id="ghost-1"), VENDOR)
# Ingest refuses a sanction without its id: a letter naming the vendor, in no history.
NO_ID = {
    **envelope_now("sanction.imposed", example("sanction.imposed"), VENDOR),
    "payload": {"kind": "bid_suspension"},
}
TITLE = "dead-letters-title"
STATUS = "query ($id: ID!) { eventStatus(eventId: $id) { refusedBy deadLetters { reason } } }"


def published(system: System, tmp_path: Path, lines: list[dict[str, Any]], refused: int) -> None:
    events = tmp_path / f"events-{refused}-{len(lines)}.jsonl"
    events.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    system.publish(events, refused=refused)


def test_an_auditor_reads_why_a_vendors_events_were_refused(
    embedded: System, tmp_path: Path
) -> None:
    published(embedded, tmp_path, [REGISTERED, LIFT], refused=0)
    published(embedded, tmp_path, [NO_ID], refused=1)
    wait_until(
        lambda: (
            embedded.client.data(STATUS, id=LIFT["event_id"])["eventStatus"]["refusedBy"]
            == ["REGISTRY"]
        ),
        "the registry's refusal of the lift",
    )
    status = embedded.client.data(STATUS, id=LIFT["event_id"])["eventStatus"]
    (registry_reason,) = [letter["reason"] for letter in status["deadLetters"]]
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, principals.token(Role.AUDITOR))
        shown(chrome, ".who")
        chrome.execute_script(f"location.hash = '#/vendor/{VENDOR}';")
        reason = shown(chrome, "ol.timeline li[data-refused=true] .reasons p[data-stage=REGISTRY]")
        assert reason == f"the registry: {registry_reason}", reason
        screenshot(chrome, "vendor-refusal-reasons")

        chrome.find_element(By.CSS_SELECTOR, f"a[href='#/dead-letters/{VENDOR}']").click()
        title = shown(chrome, f"#{TITLE}")
        assert title == "Refused about Refused Works KK: 2 dead letters", title
        rows = chrome.find_elements(By.CSS_SELECTOR, "table.dead-letters tbody tr")
        stages = [row.get_attribute("data-stage") for row in rows]
        assert stages == ["INGEST", "REGISTRY"], stages  # newest first
        assert "payload.sanction_id" in rows[0].text and "sanction.imposed" in rows[0].text
        assert registry_reason in rows[1].text
        # The input as refused, for those who may read it.
        rows[0].find_element(By.CSS_SELECTOR, "summary").click()
        raw = rows[0].find_element(By.CSS_SELECTOR, "pre").text
        assert json.loads(raw)["event_id"] == NO_ID["event_id"]
        screenshot(chrome, "vendor-dead-letters")
        in_japanese(chrome)
        until(
            chrome,
            lambda c: "受け付けられなかった記録" in c.find_element(By.ID, TITLE).text,
            "the page in Japanese",
        )


def test_a_role_that_may_not_read_dead_letters_is_offered_none(
    embedded: System, tmp_path: Path
) -> None:
    published(embedded, tmp_path, [REGISTERED], refused=0)
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, principals.token(Role.PROCUREMENT_OFFICER))
        shown(chrome, ".who")
        chrome.execute_script(f"location.hash = '#/vendor/{VENDOR}';")
        shown(chrome, "#names-title")
        assert not chrome.find_elements(By.CSS_SELECTOR, "a[href^='#/dead-letters/']")
        chrome.execute_script(f"location.hash = '#/dead-letters/{VENDOR}';")
        until(
            chrome,
            lambda c: (
                not c.find_elements(By.CSS_SELECTOR, "table.dead-letters")
                and c.find_elements(By.CSS_SELECTOR, "[role=alert]")
            ),
            "the page refused",
        )
