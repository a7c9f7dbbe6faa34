"""A migration plan without a feasible schedule in a real browser on a closed network, against
a real `vendorwatch up`: the case's plan (early cut-over forbidden) given a deadline for its
last item before that item's contract ends. The solver finds no schedule; each item still to
move says so, with the conflict as its why, where each said "not scheduled yet" as though the
solver had yet to run; the plan's CSV says it on every such row, where its phases and reasons
were blank (an exploratory tester's findings).

A plan whose solver's time limit passed before any schedule was found says so on each item,
in the CSV's words, where each item's why was "—" (the solver names no conflict then) and the
CSV said why: the console shows the API's `whyNoSchedule`, the CSV's wording, where it took
the conflicts alone (a reviewer's finding).

The page is checked by axe-core and saved as a screenshot, as in the other console browser
tests, whose helpers and case these share."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from services.migration.planning.export_csv import read_plan_csv
from services.migration.planning.model import Schedule, SolverStatus
from services.migration.storage import plan_repository
from services.platform.postgres import database
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
WHY_NO_SCHEDULE = "query ($id: ID!) { migrationPlan(planId: $id) { solver { whyNoSchedule } } }"
TIMED_OUT = "the time limit passed before any schedule was found"
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

    with items_read(embedded, plan_id, "infeasible", "no feasible schedule") as (chrome, rows):
        assert {c: r["why"] for c, r in rows.items()} == {c: conflicts for c in rows}
        opened = f"details[data-contract='{last['contractId']}'] summary"
        chrome.find_element(By.CSS_SELECTOR, opened).click()
        screenshot(chrome, "migration-plan-infeasible")

    # The CSV, as the console downloads it: every row says there is no schedule, and why.
    assert csv_reasons(embedded, plan_id) == {"no feasible schedule: " + "; ".join(conflicts)}


@contextlib.contextmanager
def items_read(
    embedded: System, plan_id: str, solver_says: str, items_say: str
) -> Iterator[tuple[webdriver.Chrome, dict[str, dict[str, Any]]]]:
    """The plan's page as its agency's system owner reads it: the solver's line begins with
    `solver_says`, and every item's row says `items_say` in place of a phase; the browser and
    the rows (`ITEMS`) for the block, which reaches nothing but the API."""
    owner = principals.token(Role.SYSTEM_OWNER, agencies=(AGENCY,))
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, owner)
        open_plan(chrome, plan_id)
        assert shown(chrome, "[data-solver]").startswith(solver_says)
        until(chrome, lambda c: len(c.execute_script(ITEMS)) == 10, "the items")
        rows = chrome.execute_script(ITEMS)
        assert not_saying(rows, items_say) == {}
        yield chrome, rows
        assert_only_the_api_was_reached(chrome, embedded)


def not_saying(rows: dict[str, dict[str, Any]], said: str) -> dict[str, str]:
    """The items (`ITEMS`) whose row does not say `said` in place of a phase, with what each
    says."""
    return {c: r["said"] for c, r in rows.items() if f"· {said} ·" not in r["said"]}


def csv_reasons(embedded: System, plan_id: str) -> set[str]:
    """The `reasons` of the plan's CSV rows, as the console downloads it."""
    answer = embedded.client.get(plan_of(embedded.client, plan_id)["csvUrl"])
    assert answer.status_code == 200, answer.text
    return {row["reasons"] for row in read_plan_csv(answer.content.decode("utf-8-sig"))}


async def timed_out(database_url: str, plan_id: str) -> None:
    """The plan's next version as the planner writes it when its time limit passes before any
    schedule is found (no item done: no cut-over to keep). Written by the planner's own
    storage: no case small enough for a test makes the solver run out of time on demand."""
    conn = await database.connect(database_url)
    try:
        async with conn.transaction():
            plan = await plan_repository.plan(conn, plan_id, lock=True)
            latest = await plan_repository.latest_version(conn, plan_id)
            assert plan is not None and latest is not None
            schedule = Schedule(SolverStatus.UNKNOWN, wall_seconds=10.0)
            snapshot = dataclasses.replace(
                latest.snapshot, version=latest.version + 1, schedule=schedule
            )
            changes = (f"no schedule any more: {TIMED_OUT}",)
            await plan_repository.insert_version(conn, plan.revision, (), snapshot, changes)
    finally:
        await conn.close()


def test_a_plan_out_of_time_says_why_on_each_item_as_its_csv_does(
    embedded: System, database_url: str, tmp_path: Path
) -> None:
    plan_id = the_case_planned(embedded, tmp_path)
    asyncio.run(timed_out(database_url, plan_id))
    solver = embedded.client.data(WHY_NO_SCHEDULE, id=plan_id)["migrationPlan"]["solver"]
    assert solver == {"whyNoSchedule": [TIMED_OUT]}

    said = "no schedule found in time"
    with items_read(embedded, plan_id, said, said) as (_, rows):
        assert {c: r["why"] for c, r in rows.items()} == {c: [TIMED_OUT] for c in rows}
    assert csv_reasons(embedded, plan_id) == {f"no schedule: {TIMED_OUT}"}
