"""The auditor's screens, in a real Chromium against a real `vendorwatch up`: the audit trail
(who recorded what through the API, narrowed to one subject, in the address) leads to each
event's status; a refused event's status says why (the input as refused only to the roles
the API gives it to); an audit completed is recorded from its form, its missing findings
refused at their field; and a role the API keeps from these screens is told so. Before, an
auditor had these only through GraphiQL with a pasted token."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

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

OFFICER = "test-procurement_officer"  # principals.token's subject for the role
REGISTER = """mutation ($vendorId: ID!, $payload: VendorRegisteredInput!) {
  registerVendor(vendorId: $vendorId, payload: $payload, waitForProcessing: true) {
    accepted eventId processing { pending } } }"""
STATUS = "query ($id: ID!) { eventStatus(eventId: $id) { refusedBy deadLetters { reason } } }"
HISTORY = """query ($v: ID!) { events(vendorId: $v) {
  edges { node { eventType recordedBy { subject } payload } } } }"""

REFUSED_VENDOR = "refused-audit-co"
REGISTERED = envelope_now("vendor.registered", {"legal_name": "Refused Audit KK"}, REFUSED_VENDOR)
# The registry refuses a lift of a sanction it does not hold.
LIFT = envelope_now(
    "sanction.lifted", example("sanction.lifted", sanction_id="ghost-9"), REFUSED_VENDOR
)


def registered_by(system: System, role: Role, vendor_id: str, name: str) -> str:
    """The event id of a registration recorded through the API by `role`, once applied."""
    client = system.client.as_role(role)
    receipt = client.data(REGISTER, vendorId=vendor_id, payload={"legalName": name})
    answer: dict[str, Any] = receipt["registerVendor"]
    assert answer["accepted"] and answer["processing"]["pending"] == [], answer
    return str(answer["eventId"])


def published(system: System, tmp_path: Path, lines: list[dict[str, Any]]) -> None:
    events = tmp_path / f"events-{len(lines)}-{lines[0]['event_id']}.jsonl"
    events.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    system.publish(events)


def trail_rows(chrome: Any) -> list[dict[str, str]]:
    found: list[dict[str, str]] = chrome.execute_script(
        "return [...document.querySelectorAll('table.audit-trail tbody tr')].map(row =>"
        " ({event: row.dataset.event, type: row.dataset.eventType, text: row.innerText}));"
    )
    return found


def test_an_auditor_finds_an_officers_registration_and_opens_its_status(
    embedded: System,
) -> None:
    officers = registered_by(embedded, Role.PROCUREMENT_OFFICER, "audit-co", "Audit Trail KK")
    registered_by(embedded, Role.ADMIN, "admin-co", "Admin Works KK")
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, principals.token(Role.AUDITOR))
        shown(chrome, ".who")
        chrome.find_element(By.CSS_SELECTOR, "nav a[href='#/audit']").click()
        until(chrome, lambda c: len(trail_rows(c)) == 2, "everyone's trail")
        newest, oldest = trail_rows(chrome)
        assert (newest["type"], oldest["event"]) == ("vendor.registered", officers)  # newest first
        fill(chrome, "audit-subject", OFFICER)
        chrome.find_element(By.CSS_SELECTOR, "#main form button[type=submit]").click()
        until(chrome, lambda c: len(trail_rows(c)) == 1, "the officer's trail")
        (row,) = trail_rows(chrome)
        assert row["event"] == officers and row["type"] == "vendor.registered", row
        # Who, with which role, from where, about which vendor.
        for said in (OFFICER, "procurement officer", "127.0.0.1", "audit-co", "Vendor registered"):
            assert said in row["text"], (said, row["text"])
        assert shown(chrome, "#audit-count") == f"1 event recorded by {OFFICER}"
        # The subject is in the address: a bookmark, Back.
        assert chrome.execute_script("return location.hash") == f"#/audit?subject={OFFICER}"
        screenshot(chrome, "auditor-audit-trail")

        chrome.find_element(
            By.CSS_SELECTOR, f"tr[data-event='{officers}'] a[href^='#/event-status/']"
        ).click()
        where = shown(chrome, "[data-where]")
        assert attribute(chrome, "[data-where]", "data-where") == "in-log", where
        assert shown(chrome, "dd[data-stages=appliedBy]").startswith("the registry"), where
        assert shown(chrome, "dd[data-stages=refusedBy]") == "none"
        assert officers in shown(chrome, "#status-title")
        screenshot(chrome, "auditor-event-status")
        chrome.back()
        until(chrome, lambda c: len(trail_rows(c)) == 1, "the officer's trail again, on Back")
        assert chrome.find_element(By.ID, "audit-subject").get_attribute("value") == OFFICER
        in_japanese(chrome)
        until(chrome, lambda c: "調達担当者" in trail_rows(c)[0]["text"], "the trail in Japanese")
        assert_only_the_api_was_reached(chrome, embedded)


def test_an_auditor_records_a_completed_audit(embedded: System) -> None:
    registered_by(embedded, Role.PROCUREMENT_OFFICER, "audited-co", "Audited KK")
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, principals.token(Role.AUDITOR))
        shown(chrome, ".who")
        chrome.execute_script("location.hash = '#/vendor/audited-co';")
        # From the vendor's page, the form names the vendor.
        shown(chrome, "a[href='#/complete-audit/audited-co']")
        chrome.find_element(By.CSS_SELECTOR, "a[href='#/complete-audit/audited-co']").click()
        shown(chrome, "#complete-audit-vendorId")
        assert (
            chrome.find_element(By.ID, "complete-audit-vendorId").get_attribute("value")
            == "audited-co"
        )
        fill(chrome, "complete-audit-payload-auditId", "audit-2026-7")
        fill(chrome, "complete-audit-payload-completedOn", "2026-01-15")
        chrome.find_element(
            By.CSS_SELECTOR, "#complete-audit-payload-outcome option[value=FAILED]"
        ).click()
        chrome.find_element(By.CSS_SELECTOR, "#complete-audit button[type=submit]").click()
        # Failed without findings: refused at the findings' field, in the user's words first.
        error = shown(chrome, "#complete-audit-payload-findings-error")
        assert error.startswith("Required unless the audit passed: say what it found — "), error
        assert attribute(chrome, "#complete-audit-payload-findings", "aria-invalid") == "true"
        fill(
            chrome,
            "complete-audit-payload-findings",
            "access logs kept 30 days, not 365\nno DR test",
        )
        chrome.find_element(By.CSS_SELECTOR, "#complete-audit button[type=submit]").click()
        assert shown(chrome, "#complete-audit .accepted").startswith("Recorded (event ")
        history = embedded.client.data(HISTORY, v="audited-co")["events"]["edges"]
        (audit,) = [e["node"] for e in history if e["node"]["eventType"] == "audit.completed"]
        assert audit["recordedBy"]["subject"] == "test-auditor"
        assert audit["payload"]["findings"] == ["access logs kept 30 days, not 365", "no DR test"]
        # It heads the trail at once.
        chrome.execute_script("location.hash = '#/audit';")
        until(
            chrome,
            lambda c: (trail_rows(c) or [{}])[0].get("type") == "audit.completed",
            "the audit at the trail's head",
        )
        assert_only_the_api_was_reached(chrome, embedded)


def test_a_refused_events_status_says_why(embedded: System, tmp_path: Path) -> None:
    published(embedded, tmp_path, [REGISTERED, LIFT])
    wait_until(
        lambda: (
            embedded.client.data(STATUS, id=LIFT["event_id"])["eventStatus"]["refusedBy"]
            == ["REGISTRY"]
        ),
        "the registry's refusal of the lift",
    )
    status = embedded.client.data(STATUS, id=LIFT["event_id"])["eventStatus"]
    (reason,) = [letter["reason"] for letter in status["deadLetters"]]
    never_sent = str(uuid.uuid4())
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, principals.token(Role.AUDITOR))
        shown(chrome, ".who")
        chrome.find_element(By.CSS_SELECTOR, "nav a[href='#/event-status']").click()
        fill(chrome, "event-id", LIFT["event_id"])
        chrome.find_element(By.CSS_SELECTOR, "#main form button[type=submit]").click()
        letter = shown(chrome, "ul.letters li[data-stage=REGISTRY] .reason")
        assert letter == reason, letter
        assert shown(chrome, "dd[data-stages=refusedBy]") == "the registry"
        assert "no other service acts on it" in shown(chrome, "#main section")
        # The input as refused, for an auditor.
        chrome.find_element(By.CSS_SELECTOR, "ul.letters summary").click()
        raw = shown(chrome, "ul.letters pre")
        assert json.loads(raw)["event_id"] == LIFT["event_id"]
        assert chrome.execute_script("return location.hash") == f"#/event-status/{LIFT['event_id']}"
        screenshot(chrome, "auditor-refused-event-status")
        # An id nobody sent is not in the log, said so; one that is no id is the API's refusal.
        chrome.execute_script(f"location.hash = '#/event-status/{never_sent}';")
        until(
            chrome,
            lambda c: attribute(c, "[data-where]", "data-where") == "not-yet",
            "an id never sent",
        )
        chrome.execute_script("location.hash = '#/event-status/not-an-id';")
        refusal = shown(chrome, ".refusal li")
        assert "is not an event id" in refusal, refusal

    # A procurement officer may ask the status too (producers poll it), without the raw input.
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/#/event-status/{LIFT['event_id']}")
        sign_in_with(chrome, principals.token(Role.PROCUREMENT_OFFICER))
        assert shown(chrome, "ul.letters li[data-stage=REGISTRY] .reason") == reason
        assert chrome.find_elements(By.CSS_SELECTOR, "ul.letters details") == []


def refused_as(words: str) -> Callable[[WebDriver], bool]:
    """Whether the page says a screen is not for the role, in `words`."""
    return lambda chrome: any(
        p.text.startswith(words) for p in chrome.find_elements(By.CSS_SELECTOR, "p.not-for-role")
    )


def test_a_viewer_is_told_the_auditors_screens_are_not_for_its_role(embedded: System) -> None:
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, principals.token(Role.VIEWER))
        shown(chrome, ".who")
        links = [
            str(a.get_attribute("href")) for a in chrome.find_elements(By.CSS_SELECTOR, "nav a")
        ]
        assert not [link for link in links if link.endswith(("#/audit", "#/imports"))], links
        assert any(link.endswith("#/event-status") for link in links), links
        for route, screen in (
            ("audit?subject=x", "Audit trail"),
            ("imports", "Imports"),
            ("import/some-report", "Import report"),
            ("complete-audit/audit-co", "Record a completed audit"),
        ):
            chrome.execute_script(f"location.hash = '#/{route}';")
            until(chrome, refused_as(f"{screen} is not available to your role (viewer)"), route)
            assert chrome.find_elements(By.CSS_SELECTOR, "table, form") == []
