"""The risk case as the console's browser tests (and README's screenshots) record it in a
running `vendorwatch up`, each part once risk has scored it: vendor B's case, its subcontractor
C's incident reported late, and vendor D's data leak today (`risky`); or D's leak alone
(`leaking_vendor_scored`), then a second incident of D's (`leaking_vendor_breached`); and the
risk board's rows as the console draws them (`board`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from selenium.webdriver.remote.webdriver import WebDriver

from tests.support import case_b, case_risk
from tests.support.event_examples import envelope
from tests.support.migration_checks import TOKYO, publish_events
from tests.support.processes import System, wait_until

RISKIEST = """query ($agency: String, $band: RiskBand) {
  riskiestVendors(first: 25, agency: $agency, band: $band) { vendorId score band } }"""
LEAKING = "vendor-d"  # a vendor with today's critical data leak, contracted by another agency
C_LATE_REPORT = "2021-06-02"  # the day of C's late-recorded incident's score change


def incident_today(vendor_id: str, incident_id: str, kind: str) -> dict[str, Any]:
    today = dt.datetime.now(TOKYO).date().isoformat()
    payload = {
        "incident_id": incident_id,
        "kind": kind,
        "severity": "critical",
        "occurred_on": today,
        "reported_on": today,
        "description": "Residents' data found on a public server.",
    }
    return envelope("incident.reported", payload, vendor_id)


def c_reported_late() -> dict[str, Any]:
    """An incident of C's from 2021, reported after the case's 2022 one that C caused: C's
    score history, in log order, is then not in date order."""
    payload = {
        "incident_id": "inc-2021-c-late",
        "kind": "service_failure",
        "severity": "low",
        "occurred_on": "2021-06-01",
        "reported_on": C_LATE_REPORT,
        "description": "A missed backup, found in 2022's review.",
    }
    return envelope("incident.reported", payload, case_risk.SUBCONTRACTOR)


def risky(system: System, tmp_path: Path) -> list[str]:
    """B's case (services/risk/README.md, "The risk model"), an older incident of C's reported
    after it, and vendor D's data leak today, once risk has scored every event; the ids of the
    events of B's lost USB memory (reported, investigated)."""
    contract = case_risk.contract()
    contract["payload"] |= {"contract_id": "c-d-tax", "agency": "税務課"}
    b_case = case_risk.the_case()
    publish_events(
        system.publish,
        tmp_path / "risk.jsonl",
        *case_risk.registered_first(),
        *b_case,
        c_reported_late(),
        case_b.another_vendor(LEAKING),
        contract | {"vendor_id": LEAKING},
        incident_today(LEAKING, "inc-d-leak", "data_leak"),
    )
    history = "query ($id: ID!) { riskHistory(vendorId: $id) { totalCount } }"

    def scored() -> bool:
        b = system.client.data(history, id=case_b.VENDOR)["riskHistory"]["totalCount"]
        c = system.client.data(history, id=case_risk.SUBCONTRACTOR)["riskHistory"]["totalCount"]
        ranked = {r["vendorId"] for r in system.client.data(RISKIEST)["riskiestVendors"]}
        return b == len(b_case) and c == 2 and LEAKING in ranked

    wait_until(scored, "B's case and D's leak scored")
    usb = [e for e in b_case if e["payload"].get("incident_id") == "inc-2022-usb"]
    return [event["event_id"] for event in usb]


def leaking_vendor_scored(system: System, tmp_path: Path) -> Callable[[], float]:
    """Vendor D recorded with today's data leak, once risk has scored it: D's score as the
    API gives it now (0 while D is not ranked), to read again later."""
    publish_events(
        system.publish,
        tmp_path / "leak.jsonl",
        case_b.another_vendor(LEAKING),
        incident_today(LEAKING, "inc-d-leak", "data_leak"),
    )

    def d_score() -> float:
        ranked = system.client.data(RISKIEST)["riskiestVendors"]
        return float(next((r["score"] for r in ranked if r["vendorId"] == LEAKING), 0.0))

    wait_until(lambda: d_score() > 0, "D scored")
    return d_score


def leaking_vendor_breached(
    system: System, tmp_path: Path, d_score: Callable[[], float], before: float
) -> float:
    """A second incident of vendor D (a security breach today), once risk has scored it: D's
    new score."""
    publish_events(
        system.publish,
        tmp_path / "breach.jsonl",
        incident_today(LEAKING, "inc-d-breach", "security_breach"),
    )
    wait_until(lambda: d_score() > before, "D's second incident scored")
    return d_score()


def board(chrome: WebDriver) -> list[tuple[str, str, str, str]]:
    """The board's rows in order: vendor, band, class, text (read in one script)."""
    found: list[list[str]] = chrome.execute_script(
        "return [...document.querySelectorAll('table.risk-board tbody tr')]"
        ".map(row => [row.dataset.vendor, row.dataset.band, row.className, row.innerText]);"
    )
    return [(vendor, band, kind, text) for vendor, band, kind, text in found]
