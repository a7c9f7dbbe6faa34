"""Bars to come on the console, in a real Chromium against a real `vendorwatch up`: vt may bid
today, but a suspension already recorded bars it from a month ahead; vn has no sanction. The
screening answered vt "Eligible" and showed nothing more (by id, and as a name's candidate),
and a plan for vt said the bar only inside its reason's English sentence. An officer now sees
"barred from <day> (<the sanction>)" apart, a system owner the day the bar begins in the list
and on the plan's page with the contracts that run into it, which move as the plan's Gantt
chart schedules them (not before the bar begins); vn shows none of it."""

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
from tests.support import principals
from tests.support.console_browser import (
    assert_only_the_api_was_reached,
    attribute,
    console_chromium,
    fill,
    origin,
    screenshot,
    shown,
    sign_in_with,
    until,
)
from tests.support.event_examples import envelope_now
from tests.support.processes import System, wait_until

pytestmark = pytest.mark.postgres

AGENCY = "市民課"
SANCTION = "s-vt-1"
ANSWER = "#one-title ~ .results tr[data-ref]"
OPEN_BY_HAND = """mutation ($planId: ID!, $vendorId: ID!) {
  createMigrationPlan(vendorId: $vendorId, agency: "市民課", reason: "Critical risk score.",
    planId: $planId, waitForProcessing: true) { accepted } }"""
BAR = """query { bidEligibility(vendor: {vendorId: "vt"}) {
  eligible upcoming { startsOn endsOn } } }"""
LATER = "query ($id: ID!) { migrationPlan(planId: $id) { vendorBarredLater } }"


def award(contract_id: str, vendor_id: str, today: dt.date) -> dict[str, Any]:
    """A contract at AGENCY running a year past today."""
    payload = {
        "contract_id": contract_id,
        "agency": AGENCY,
        "title": f"System {contract_id}",
        "category": "information_systems",
        "criticality": "internal",
        "awarded_on": (today - dt.timedelta(days=400)).isoformat(),
        "starts_on": (today - dt.timedelta(days=365)).isoformat(),
        "ends_on": (today + dt.timedelta(days=365)).isoformat(),
        "amount": 50_000_000,
    }
    return envelope_now("contract.awarded", payload, vendor_id)


def recorded(system: System, tmp_path: Path, today: dt.date) -> dict[str, str]:
    """vt and vn, each with a running contract at AGENCY and a plan opened by hand (plan-t,
    plan-n); vt suspended for 18 months from thirty days ahead. The bar's days as the API says
    them."""
    suspension = {
        "sanction_id": SANCTION,
        "kind": "bid_suspension",
        "authority": "City procurement office",
        "decided_on": (today - dt.timedelta(days=1)).isoformat(),
        "starts_on": (today + dt.timedelta(days=30)).isoformat(),
        "duration_months": 18,
        "grounds": ["breach_of_contract", "dishonest_conduct"],
        "serious": True,
        # The city's policy has a suspension begin the day after its decision.
        "policy_override_reason": "Begins once the current phase of its works is handed over.",
    }
    lines = [
        envelope_now("vendor.registered", {"legal_name": "Tango Works Ltd"}, "vt"),
        envelope_now("vendor.registered", {"legal_name": "November Systems Ltd"}, "vn"),
        award("t01", "vt", today),
        award("n01", "vn", today),
        envelope_now("sanction.imposed", suspension, "vt"),
    ]
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    system.publish(events)
    wait_until(lambda: system.client.data(BAR)["bidEligibility"]["upcoming"], "vt's bar to come")
    for plan_id, vendor_id in (("plan-t", "vt"), ("plan-n", "vn")):
        opened = system.client.data(OPEN_BY_HAND, planId=plan_id, vendorId=vendor_id)
        assert opened["createMigrationPlan"]["accepted"] is True, plan_id
    wait_until(
        lambda: system.client.data(LATER, id="plan-t")["migrationPlan"]["vendorBarredLater"],
        "plan-t's bar to come",
    )
    bar = system.client.data(BAR)["bidEligibility"]
    assert bar["eligible"] is True
    (upcoming,) = bar["upcoming"]
    return {"from": upcoming["startsOn"], "to": upcoming["endsOn"]}


def screen(chrome: WebDriver, by: str, value: str) -> tuple[str, str]:
    """One bidder screened in the one-bidder form: its status and its row's text."""
    Select(chrome.find_element(By.ID, "one-by")).select_by_value(by)
    fill(chrome, "one-value", value)
    chrome.find_element(By.CSS_SELECTOR, "#one-value ~ button[type=submit]").click()

    def answered(c: WebDriver) -> tuple[str, str] | None:
        # Read in one script: a row being replaced cannot be read half old, half new.
        row: list[str] | None = c.execute_script(
            "const row = document.querySelector(arguments[0]);"
            "return row && [row.cells[1].innerText, row.dataset.status, row.innerText];",
            ANSWER,
        )
        return (row[1], row[2]) if row and row[0] == value else None

    until(chrome, answered, f"the answer for {value}")
    answer = answered(chrome)
    assert answer is not None
    return answer


def test_an_officer_and_a_system_owner_see_a_bar_to_come_apart(
    embedded: System, tmp_path: Path
) -> None:
    today = dt.date.fromisoformat(embedded.client.data("query { today }")["today"])
    days = recorded(embedded, tmp_path, today)
    said = (
        f"Barred from {days['from']} ({SANCTION} · bid suspension · City procurement office"
        f" · {days['from']} – {days['to']})"
    )
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, principals.token(Role.PROCUREMENT_OFFICER))
        shown(chrome, ".who")
        chrome.execute_script("location.hash = '#/screening';")
        shown(chrome, "#one-value")

        # vt by id: eligible today, and its bar to come apart, from its first day, with why.
        status, text = screen(chrome, "vendorId", "vt")
        assert status == "ELIGIBLE", text
        lead = shown(chrome, f"{ANSWER} .to-come strong")
        assert lead == "Eligible on the day, but a sanction already recorded bars it later:"
        item = f"{ANSWER} .to-come li[data-to-come='{SANCTION}']"
        assert shown(chrome, item) == said
        assert attribute(chrome, item, "data-bars-from") == days["from"]
        screenshot(chrome, "screening-bar-to-come")

        # By its name: a candidate, eligible today, with the same bar to come.
        status, text = screen(chrome, "name", "Tango Works")
        assert status == "POSSIBLE_MATCH", text
        assert shown(chrome, f"{ANSWER} .matches .to-come li[data-to-come='{SANCTION}']") == said

        # vn: eligible, and nothing to come.
        status, text = screen(chrome, "vendorId", "vn")
        assert status == "ELIGIBLE", text
        assert chrome.find_elements(By.CSS_SELECTOR, f"{ANSWER} .to-come") == []
        assert_only_the_api_was_reached(chrome, embedded)

    owner = principals.token(Role.SYSTEM_OWNER, agencies=(AGENCY,))
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, owner)
        until(chrome, lambda c: c.find_elements(By.LINK_TEXT, "Migration plans"), "navigation")
        chrome.find_element(By.LINK_TEXT, "Migration plans").click()

        # The list: plan-t's vendor barred here from the bar's first day; plan-n's not.
        listed = "tr[data-plan='plan-t'] .barred-here-from"
        assert shown(chrome, listed) == f"Barred here from {days['from']}"
        assert attribute(chrome, listed, "data-bars-from") == days["from"]
        none = chrome.find_elements(By.CSS_SELECTOR, "tr[data-plan='plan-n'] .barred-here-from")
        assert none == []

        # plan-t's page: the vendor may bid here now, barred from when and why, and the
        # contract that runs into it.
        chrome.find_element(By.LINK_TEXT, "plan-t").click()
        lead = shown(chrome, ".barred-later .to-come strong")
        assert lead.startswith("The vendor may bid here now, but a sanction already recorded"), lead
        assert shown(chrome, f".barred-later .to-come li[data-to-come='{SANCTION}']") == said
        # t01 runs on past the bar's first day and cuts over as the Gantt chart beside it
        # plans, at its end: the page said it "must move before it begins" (a tester's
        # finding), which is true of a replacement under a bar to come, not of the plan's
        # own vendor's contracts.
        assert shown(chrome, ".barred-later p") == (
            "Contracts still running when it begins: t01. The bar does not cut them short:"
            " they move to other vendors as the Gantt chart plans, so this plan cannot be"
            " withdrawn."
        )
        row = ".gantt .row[data-contract='t01']"
        until(chrome, lambda c: attribute(c, row, "data-phase"), "t01's cut-over phase")
        phase = attribute(chrome, row, "data-phase")
        assert phase is not None and phase > days["from"][:7], phase
        screenshot(chrome, "migration-plan-bar-to-come")

        # plan-n's page: nothing of the kind.
        chrome.execute_script("location.hash = '#/migration-plan/plan-n';")
        until(chrome, lambda c: "plan-n" in shown(c, "main h2"), "plan-n's page")
        shown(chrome, "p.plan-status")
        assert chrome.find_elements(By.CSS_SELECTOR, ".barred-later, .to-come") == []
        assert_only_the_api_was_reached(chrome, embedded)
