"""The migration case as the console's browser tests (and README's screenshots) record it in a
running `vendorwatch up` and read it back through the API: vendor B's ten contracts at `AGENCY`
and one at another agency, B suspended from today, the plan set up as the case's and scheduled
(`the_case_planned`), a plan's item and settings (`item`, `settings_of`); a vendor nothing bars
with a contract at AGENCY, for a plan opened by hand (`high_risk_vendor`); and a plan opened in
the console, its Gantt chart drawn (`open_plan`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.support import case_b, case_migration
from tests.support.console_browser import until
from tests.support.migration_checks import (
    SUSPENDED_OTHER,
    operation,
    plan_of,
    publish_events,
    suspension_from_today,
)
from tests.support.processes import System, wait_until

AGENCY = case_migration.AGENCY
OTHER_AGENCY = "環境課"
ROWS = ".gantt g.row[data-contract]"
# A vendor nothing bars, with one running contract at the owner's agency: a plan opened by hand.
HIGH_RISK = "vendor-h"


def the_case_planned(system: System, tmp_path: Path) -> str:
    """Vendor B's ten contracts at 市民課 and one at another agency, B suspended from today
    (a plan per agency), vendor-x suspended too; 市民課's plan set up as the case's (capacity
    2, the tax-filing blackout). Its plan id, once scheduled so."""
    start = dt.datetime.now(case_migration.TOKYO).date().replace(day=1)
    elsewhere = case_migration.awarded(start, case_migration.CONTRACTS[0])
    elsewhere["payload"] = {**elsewhere["payload"], "contract_id": "e01", "agency": OTHER_AGENCY}
    publish_events(
        system.publish,
        tmp_path / "case.jsonl",
        *[case_b.another_vendor(v) for v in (case_migration.VENDOR, SUSPENDED_OTHER)],
        *case_migration.contracts(start),
        elsewhere,
        suspension_from_today(case_migration.VENDOR, "city-001"),
        suspension_from_today(SUSPENDED_OTHER, "city-002"),
    )

    def plans() -> dict[str, dict[str, Any]]:
        page = system.client.data(operation("migration-plans"), vendorId=case_migration.VENDOR)
        return {edge["node"]["agency"]: edge["node"] for edge in page["migrationPlans"]["edges"]}

    wait_until(lambda: plans().keys() == {AGENCY, OTHER_AGENCY}, "a plan per agency")
    plan_id: str = plans()[AGENCY]["planId"]
    blackout = case_migration.blackout(start)
    settings = {
        "capacity": case_migration.CAPACITY,
        "earlyCutover": "FORBID",
        "blackouts": [
            {"startsOn": blackout["starts_on"], "endsOn": blackout["ends_on"], "reason": "tax"}
        ],
    }
    system.client.data(operation("configure-migration-plan"), planId=plan_id, settings=settings)

    def scheduled() -> bool:
        plan = plan_of(system.client, plan_id)
        return bool(plan["settings"]["blackouts"]) and plan["upToDate"] and plan["solver"]

    wait_until(scheduled, "the plan scheduled with its blackout")
    return plan_id


def item(system: System, plan_id: str, contract_id: str) -> dict[str, Any]:
    items: list[dict[str, Any]] = plan_of(system.client, plan_id)["items"]
    (found,) = [i for i in items if i["contractId"] == contract_id]
    return found


def settings_of(system: System, plan_id: str) -> dict[str, Any]:
    query = (
        "query ($id: ID!) { migrationPlan(planId: $id) {"
        " settings { capacity earlyPenalty deadlineOn } } }"
    )
    settings: dict[str, Any] = system.client.data(query, id=plan_id)["migrationPlan"]["settings"]
    return settings


def open_plan(chrome: WebDriver, plan_id: str) -> None:
    until(chrome, lambda c: c.find_elements(By.LINK_TEXT, "Migration plans"), "the navigation")
    chrome.find_element(By.LINK_TEXT, "Migration plans").click()
    until(chrome, lambda c: c.find_elements(By.LINK_TEXT, plan_id), "the plan in the list")
    chrome.find_element(By.LINK_TEXT, plan_id).click()
    until(chrome, lambda c: len(c.find_elements(By.CSS_SELECTOR, ROWS)) == 10, "the Gantt")


def high_risk_vendor(system: System, tmp_path: Path) -> None:
    """HIGH_RISK registered, with contract h01 at AGENCY running as long as the case's c06."""
    start = dt.datetime.now(case_migration.TOKYO).date().replace(day=1)
    award = case_migration.awarded(start, case_migration.CONTRACTS[5])
    award = {**award, "vendor_id": HIGH_RISK, "payload": {**award["payload"], "contract_id": "h01"}}
    publish_events(system.publish, tmp_path / "h.jsonl", case_b.another_vendor(HIGH_RISK), award)
