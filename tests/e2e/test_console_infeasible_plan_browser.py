"""A migration plan without a feasible schedule in a real browser on a closed network, against
a real `vendorwatch up`: the case's plan (early cut-over forbidden) given a deadline for its
last item before that item's contract ends. The solver finds no schedule; each item still to
move says so, with the conflict as its why, where each said "not scheduled yet" as though the
solver had yet to run; the plan's CSV says it on every such row, where its phases and reasons
were blank (an exploratory tester's findings).

The page is checked by axe-core and saved as a screenshot, as in the other console browser
tests, whose helpers and case these share."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from services.migration.planning.export_csv import read_plan_csv
from services.platform.security.auth import Role
from tests.support import principals
from tests.support.console_browser import (
    assert_only_the_api_was_reached,
    console_chromium,
    origin,
    screenshot,
    shown,
    sign_in_with,
    until,
)
from tests.support.console_migration_case import AGENCY, item, open_plan, the_case_planned
from tests.support.migration_checks import plan_of
from tests.support.processes import System, wait_until

pytestmark = pytest.mark.postgres

DEADLINE = """mutation ($planId: ID!, $contractId: ID!, $deadlineOn: Date!) {
  configureMigrationItem(planId: $planId, contractId: $contractId,
      item: {deadlineOn: $deadlineOn}, waitForProcessing: true) { accepted }
}"""
# Each item's row as it reads (its summary) and its why, read in one script.
ITEMS = """return Object.fromEntries([...document.querySelectorAll('details.item')].map((d) => [
  d.dataset.contract,
  {said: d.querySelector('summary').textContent,
   why: [...d.querySelectorAll('.item-why li')].map((li) => li.textContent)}]));"""


def test_an_infeasible_plan_s_items_and_csv_say_there_is_no_schedule_and_why(
    embedded: System, tmp_path: Path
) -> None:
    plan_id = the_case_planned(embedded, tmp_path)
    last = max(plan_of(embedded.client, plan_id)["items"], key=lambda i: i["endsOn"])
    deadline = dt.date.fromisoformat(last["endsOn"]) - dt.timedelta(days=60)
    configured = embedded.client.data(
        DEADLINE, planId=plan_id, contractId=last["contractId"], deadlineOn=deadline.isoformat()
    )
    assert configured["configureMigrationItem"]["accepted"]

    def infeasible() -> bool:
        plan = plan_of(embedded.client, plan_id)
        return bool(plan["upToDate"]) and plan["solver"]["status"] == "INFEASIBLE"

    wait_until(infeasible, "the plan re-planned without a schedule")
    assert item(embedded, plan_id, last["contractId"])["deadlineOn"] == deadline.isoformat()
    conflicts = plan_of(embedded.client, plan_id)["solver"]["conflicts"]
    assert any(last["contractId"] in c for c in conflicts), conflicts

    owner = principals.token(Role.SYSTEM_OWNER, agencies=(AGENCY,))
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, owner)
        open_plan(chrome, plan_id)
        assert shown(chrome, "[data-solver]").startswith("infeasible")
        until(chrome, lambda c: len(c.execute_script(ITEMS)) == 10, "the items")
        rows = chrome.execute_script(ITEMS)
        unsaid = {
            c: r["said"] for c, r in rows.items() if "· no feasible schedule ·" not in r["said"]
        }
        assert unsaid == {}
        assert {c: r["why"] for c, r in rows.items()} == {c: conflicts for c in rows}
        opened = f"details[data-contract='{last['contractId']}'] summary"
        chrome.find_element(By.CSS_SELECTOR, opened).click()
        screenshot(chrome, "migration-plan-infeasible")
        assert_only_the_api_was_reached(chrome, embedded)

    # The CSV, as the console downloads it: every row says there is no schedule, and why.
    csv_url = plan_of(embedded.client, plan_id)["csvUrl"]
    answer = embedded.client.get(csv_url)
    assert answer.status_code == 200, answer.text
    text = answer.content.decode("utf-8-sig")
    said = "no feasible schedule: " + "; ".join(conflicts)
    assert {row["reasons"] for row in read_plan_csv(text)} == {said}
