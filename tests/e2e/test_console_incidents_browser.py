"""Incidents in the console, in a real Chromium against a real `vendorwatch up`: a system owner
reports a data-loss incident on its agency's contract of a vendor (a choice not made is said at
its field; another agency's contract is refused by the API at the contract's field, focus on
it) and sees it listed as reported, with what it adds to the vendor's risk score; a risk
analyst records the investigation's findings and closes it, and the page says how the score
moved each time, as the API scores it. A report whose answer was lost, sent again, is recorded
once (its idempotency key). A role that may not report sees the form disabled and why.

Each page is checked by axe-core and saved as a screenshot under test-artifacts/console/."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select

from services.platform.security.auth import Role
from tests.support import case_migration, principals
from tests.support.console_browser import (
    assert_only_the_api_was_reached,
    attribute,
    console_chromium,
    fill,
    fill_at_once,
    focused,
    in_japanese,
    origin,
    screenshot,
    shown,
    sign_in_with,
    until,
)
from tests.support.event_examples import VALID_PAYLOADS, envelope
from tests.support.processes import System, wait_until

pytestmark = pytest.mark.postgres

VENDOR = "incident-co"
OURS = "市民課"
THEIRS = "税務課"
OUR_CONTRACT = "c-shimin-records"
THEIR_CONTRACT = "c-zeimu-tax"
INCIDENT = "inc-usb-1"
REPORT = "report-incident"
# The first (only) incident's forms on the page.
STEPS = "incident-0"
SCORE = 'query { vendor(vendorId: "incident-co") { riskScore { score } } }'


def contract(contract_id: str, agency: str) -> dict[str, Any]:
    payload = {
        **VALID_PAYLOADS["contract.awarded"],
        "contract_id": contract_id,
        "agency": agency,
        "ends_on": "2031-03-31",
    }
    return envelope("contract.awarded", payload, VENDOR)


def the_vendor_with_two_agencies_contracts(system: System, tmp_path: Path) -> None:
    events = [
        envelope("vendor.registered", {"legal_name": "Incident Works KK"}, VENDOR),
        contract(OUR_CONTRACT, OURS),
        contract(THEIR_CONTRACT, THEIRS),
    ]
    path = tmp_path / "incident-case.jsonl"
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events))
    system.publish(path)
    query = 'query { vendor(vendorId: "incident-co") { contracts { totalCount } } }'

    def contracts() -> int:
        vendor = system.client.data(query)["vendor"]
        return int(vendor["contracts"]["totalCount"]) if vendor else 0

    wait_until(lambda: contracts() == 2, "the vendor's contracts")


def score_now(system: System) -> float:
    return float(system.client.data(SCORE)["vendor"]["riskScore"]["score"])


def reiwa(day: dt.date) -> str:
    """A day as a Japanese era date, as a Japanese user types it (令和8年11月26日)."""
    return f"令和{day.year - 2018}年{day.month}月{day.day}日"


def submit(chrome: WebDriver, form: str) -> None:
    chrome.find_element(By.CSS_SELECTOR, f"#{form} button[type=submit]").click()


def field_error(chrome: WebDriver, field_id: str) -> str:
    return shown(chrome, f"#{field_id}-error")


def moved(chrome: WebDriver, before: float, after: float) -> str:
    """The page's line saying how the last event moved the score, once it says this move."""
    words = f"from {before:.1f} to {after:.1f}"
    until(chrome, lambda c: words in c.find_element(By.CSS_SELECTOR, ".score-move").text, words)
    return str(chrome.find_element(By.CSS_SELECTOR, ".score-move").text)


def status_of(chrome: WebDriver) -> str | None:
    return attribute(chrome, f"article[data-incident='{INCIDENT}']", "data-status")


def test_an_incident_is_reported_investigated_and_closed_in_the_console(
    embedded: System, tmp_path: Path
) -> None:
    the_vendor_with_two_agencies_contracts(embedded, tmp_path)
    today = dt.datetime.now(case_migration.TOKYO).date()
    occurred = today - dt.timedelta(days=10)
    owner = principals.token(Role.SYSTEM_OWNER, agencies=(OURS,))
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, owner)
        shown(chrome, ".who")
        # From the vendor's page, as a system owner finds it.
        chrome.execute_script(f"location.hash = '#/vendor/{VENDOR}';")
        shown(chrome, f"a[href='#/incidents/{VENDOR}']")
        chrome.find_element(By.CSS_SELECTOR, f"a[href='#/incidents/{VENDOR}']").click()
        shown(chrome, f"#{REPORT}-payload-incidentId")
        # Only its agency's contract is offered; it may not investigate or close.
        offered = chrome.execute_script(
            f"return [...document.querySelectorAll('#{REPORT}-payload-contractId-list option')]"
            ".map(o => o.value);"
        )
        assert offered == [OUR_CONTRACT], offered
        assert "may not investigate or close" in shown(chrome, "#incidents-title ~ .read-only")
        before = score_now(embedded)

        fill_at_once(
            chrome,
            {
                f"{REPORT}-payload-incidentId": INCIDENT,
                f"{REPORT}-payload-occurredOn": reiwa(occurred),
                f"{REPORT}-payload-contractId": THEIR_CONTRACT,
                f"{REPORT}-payload-description": "A USB memory of resident data was lost.",
            },
        )
        Select(chrome.find_element(By.ID, f"{REPORT}-payload-kind")).select_by_value("DATA_LOSS")
        # The severity left unchosen: said at its field, focus there, nothing sent.
        submit(chrome, REPORT)
        assert field_error(chrome, f"{REPORT}-payload-severity") == "Choose one"
        until(chrome, lambda c: focused(c) == f"{REPORT}-payload-severity", "focus on severity")

        Select(chrome.find_element(By.ID, f"{REPORT}-payload-severity")).select_by_value("HIGH")
        submit(chrome, REPORT)
        # Another agency's contract: the API's refusal at the contract's field, focus there.
        refused = field_error(chrome, f"{REPORT}-payload-contractId")
        assert refused == (
            f"No such contract on record — no contract '{THEIR_CONTRACT}' of your agencies"
            " on record"
        ), refused
        until(chrome, lambda c: focused(c) == f"{REPORT}-payload-contractId", "focus on contract")
        assert not chrome.find_elements(By.CSS_SELECTOR, "article.incident")
        screenshot(chrome, "system-owner-incident-refused-contract")

        fill(chrome, f"{REPORT}-payload-contractId", OUR_CONTRACT)
        submit(chrome, REPORT)
        until(chrome, lambda c: status_of(c) == "REPORTED", "the incident listed as reported")
        reported = score_now(embedded)
        assert reported > before, (before, reported)
        assert "Recorded (event" in moved(chrome, before, reported)
        article = shown(chrome, f"article[data-incident='{INCIDENT}']")
        assert f"{OUR_CONTRACT} ({OURS})" in article and "Data loss" in article, article
        assert f"incident {INCIDENT} (data_loss, high)" in article, article
        # The era date typed was taken as the day it is.
        assert occurred.isoformat() in article, article
        screenshot(chrome, "system-owner-incident-reported")
        assert_only_the_api_was_reached(chrome, embedded)

    analyst = principals.token(Role.RISK_ANALYST)
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/#/incidents/{VENDOR}")
        sign_in_with(chrome, analyst)
        shown(chrome, f"article[data-incident='{INCIDENT}'] details summary")
        summaries = chrome.find_elements(
            By.CSS_SELECTOR, f"article[data-incident='{INCIDENT}'] details summary"
        )
        summaries[0].click()
        fill(chrome, f"{STEPS}-investigate-payload-summary", "The USB memory was found opened.")
        Select(chrome.find_element(By.ID, f"{STEPS}-investigate-payload-leak")).select_by_value(
            "CONFIRMED"
        )
        chrome.find_element(By.ID, f"{STEPS}-investigate-payload-controlFailures-0").click()
        submit(chrome, f"{STEPS}-investigate")
        until(chrome, lambda c: status_of(c) == "INVESTIGATED", "the incident investigated")
        investigated = score_now(embedded)
        assert investigated > reported, (reported, investigated)
        moved(chrome, reported, investigated)
        article = shown(chrome, f"article[data-incident='{INCIDENT}']")
        assert "Confirmed: data left control" in article, article
        assert "Media not kept in a locked case" in article, article
        screenshot(chrome, "risk-analyst-incident-investigated")

        chrome.find_elements(
            By.CSS_SELECTOR, f"article[data-incident='{INCIDENT}'] details summary"
        )[1].click()
        fill(chrome, f"{STEPS}-close-payload-resolution", "Data erasure certified.")
        submit(chrome, f"{STEPS}-close")
        until(chrome, lambda c: status_of(c) == "CLOSED", "the incident closed")
        closed = score_now(embedded)
        assert closed < investigated, (investigated, closed)
        moved(chrome, investigated, closed)
        # Closed: nothing more is expected on it, and no form is offered.
        assert not chrome.find_elements(By.CSS_SELECTOR, "article.incident details")
        # Not among those not closed, a filter kept in the address.
        chrome.find_element(By.ID, "incidents-open-only").click()
        until(chrome, lambda c: c.current_url.endswith("?openOnly=true"), "the filter's address")
        shown(chrome, "#incidents-title ~ .empty")
        chrome.back()
        until(chrome, lambda c: status_of(c) == "CLOSED", "the whole list again")
        # The risk page it links to has the same score.
        risk = chrome.find_element(By.CSS_SELECTOR, f".risk-now a[href='#/risk-vendor/{VENDOR}']")
        risk.click()
        until(
            chrome,
            lambda c: (
                c.find_elements(By.CSS_SELECTOR, ".risk-now .score")
                and c.find_element(By.CSS_SELECTOR, ".risk-now .score").text == f"{closed:.1f}"
            ),
            "the risk page's score",
        )
        chrome.back()
        in_japanese(chrome)
        until(
            chrome,
            lambda c: "終結" in c.find_element(By.CSS_SELECTOR, ".incident-status").text,
            "the status in Japanese",
        )
        screenshot(chrome, "risk-analyst-incident-closed-ja")
        assert_only_the_api_was_reached(chrome, embedded)


def test_a_role_that_may_not_report_sees_the_form_disabled_and_why(
    embedded: System, tmp_path: Path
) -> None:
    the_vendor_with_two_agencies_contracts(embedded, tmp_path)
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/#/incidents/{VENDOR}")
        sign_in_with(chrome, principals.token(Role.AUDITOR))
        why = shown(chrome, "#report-incident-locked")
        assert why.startswith("Read only: your role (auditor) may not report incidents"), why
        assert not chrome.find_element(By.CSS_SELECTOR, f"#{REPORT} button").is_enabled()
        screenshot(chrome, "auditor-incidents-read-only")


# Run in the page before the console: the first report's answer is lost after the API recorded
# it (a connection dropped on the way back), as the browser says a network failure.
ANSWER_LOST = """
const realFetch = window.fetch;
window.lostAnswers = 0;
window.fetch = async (url, init) => {
  const response = await realFetch(url, init);
  if (window.lostAnswers === 0 && String(init?.body ?? "").includes("ConsoleReportIncident")) {
    window.lostAnswers += 1;
    throw new TypeError("Failed to fetch");
  }
  return response;
};
"""


def test_a_report_sent_again_after_its_answer_was_lost_is_recorded_once(
    embedded: System, tmp_path: Path
) -> None:
    the_vendor_with_two_agencies_contracts(embedded, tmp_path)
    owner = principals.token(Role.SYSTEM_OWNER, agencies=(OURS,))
    with console_chromium() as chrome:
        chrome.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": ANSWER_LOST})
        chrome.get(f"{origin(embedded)}/#/incidents/{VENDOR}")
        sign_in_with(chrome, owner)
        shown(chrome, f"#{REPORT}-payload-incidentId")
        fill_at_once(
            chrome,
            {
                f"{REPORT}-payload-incidentId": INCIDENT,
                f"{REPORT}-payload-occurredOn": "2026-01-05",
                f"{REPORT}-payload-reportedOn": "2026-01-06",
                f"{REPORT}-payload-contractId": OUR_CONTRACT,
                f"{REPORT}-payload-description": "A USB memory of resident data was lost.",
            },
        )
        Select(chrome.find_element(By.ID, f"{REPORT}-payload-kind")).select_by_value("DATA_LOSS")
        Select(chrome.find_element(By.ID, f"{REPORT}-payload-severity")).select_by_value("LOW")
        submit(chrome, REPORT)
        assert shown(chrome, f"#{REPORT} .refusal").startswith("No answer:")
        # Sent again as it was: the API answers with the event the first one recorded (it
        # had refused a second report under the id: "already on record").
        submit(chrome, REPORT)
        until(chrome, lambda c: status_of(c) == "REPORTED", "the incident listed")
        assert "Recorded (event" in shown(chrome, ".score-move")
        assert not chrome.find_elements(By.CSS_SELECTOR, f"#{REPORT} [aria-invalid=true]")
    query = """query { vendor(vendorId: "incident-co") { incidents { totalCount } }
      events(vendorId: "incident-co", first: 10) { edges { node { eventType } } } }"""
    answer = embedded.client.data(query)
    assert answer["vendor"]["incidents"]["totalCount"] == 1
    types = [edge["node"]["eventType"] for edge in answer["events"]["edges"]]
    assert types.count("incident.reported") == 1, types
