"""What a system owner's plan mutations refuse in their receipt, before the log, that migration
would refuse after or that could never be scheduled (real PostgreSQL; exploratory testers'
findings): a plan asked for where nothing of the vendor's runs; an item's dependencies that
close a cycle; a deadline already past, a milestone dated before its plan was opened."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg
import pytest

from services.ingest.handlers import ingest_batch
from services.migration.planning.model import SolverStatus
from services.migration.setup import consumer
from services.platform.eventlog.embedded import EmbeddedEventLog, drain
from services.platform.eventstore.later_rules import THIRD_RULES_FROM
from services.platform.settings import Settings
from services.registry import setup as registry_setup
from tests.support import case_b, case_migration, registry_db
from tests.support.case_migration import AGENCY, VENDOR
from tests.support.event_examples import envelope, envelope_now
from tests.support.in_process_api import execute
from tests.support.migration_db import (
    PLAN,
    TAX,
    apply,
    item_event,
    refusal,
    replan,
    tax_contract,
    the_case,
    today,
)
from tests.support.registry import TOKYO, FixedClock

pytestmark = pytest.mark.postgres

CREATE = """mutation ($vendorId: ID!, $agency: String!, $planId: ID!) {
  createMigrationPlan(vendorId: $vendorId, agency: $agency, reason: "Risk band critical.",
    planId: $planId) { accepted errors { field message code } } }"""


async def create(pool: asyncpg.Pool, vendor_id: str, agency: str, plan_id: str) -> dict[str, Any]:
    answer = await execute(pool, CREATE, vendorId=vendor_id, agency=agency, planId=plan_id)
    receipt: dict[str, Any] = answer["createMigrationPlan"]
    return receipt


async def logged(pool: asyncpg.Pool) -> int:
    count: int = await pool.fetchval("SELECT count(*) FROM event_store")
    return count


async def test_a_plan_asked_for_where_nothing_of_the_vendors_runs_is_refused(
    pool: asyncpg.Pool,
) -> None:
    """Said "accepted", then refused by migration: the vendor holds no contract at that
    agency, or only contracts that have ended."""
    await registry_db.apply(pool, case_b.another_vendor(VENDOR), case_b.another_vendor("vendor-z"))
    await apply(pool, *case_migration.contracts(today().replace(day=1)))
    ended = today() - dt.timedelta(days=1)
    await registry_db.apply(pool, case_b.another_vendor("vendor-e"))
    await apply(pool, tax_contract("vendor-e", ended))
    said = {
        (VENDOR, TAX): f"{VENDOR} has no running contract at {TAX} to migrate",
        ("vendor-z", AGENCY): f"vendor-z has no running contract at {AGENCY} to migrate",
        ("vendor-e", TAX): f"vendor-e has no running contract at {TAX} to migrate",
    }
    for (vendor_id, agency), message in said.items():
        receipt = await create(pool, vendor_id, agency, f"plan-{vendor_id}")
        assert receipt == {
            "accepted": False,
            "errors": [{"field": "agency", "message": message, "code": "nothing_to_migrate"}],
        }
    assert await logged(pool) == 0
    # In migration's words, for the same request from any other producer.
    request = {"plan_id": "plan-tax", "agency": TAX, "reason": "Risk band critical."}
    reason = await refusal(pool, envelope("migration.plan_requested", request, VENDOR))
    assert reason == f"payload.agency: {said[VENDOR, TAX]}"
    # Where its contracts run, the plan is asked for.
    assert await create(pool, VENDOR, AGENCY, "plan-b") == {"accepted": True, "errors": []}
    assert await logged(pool) == 1


async def test_a_plan_asked_for_a_vendor_not_on_record_is_refused_as_an_unknown_vendor(
    pool: asyncpg.Pool,
) -> None:
    """Said "vendor-zzz has no running contract at 市民課 to migrate" (nothing_to_migrate, at the
    agency), where every other mutation naming a vendor nobody registered says it is unknown:
    the owner looked for contracts of a vendor that does not exist. Refused as unknown first,
    alone, at `vendorId`; a vendor whose registration is in the log counts as known."""
    await apply(pool, *case_migration.contracts(today().replace(day=1)))
    for plan_id in ("plan-zzz", PLAN):  # a free id, and one taken: the vendor is said first
        receipt = await create(pool, "vendor-zzz", AGENCY, plan_id)
        assert receipt == {
            "accepted": False,
            "errors": [
                {
                    "field": "vendorId",
                    "message": "unknown vendor 'vendor-zzz'",
                    "code": "unknown_vendor",
                }
            ],
        }
    assert await logged(pool) == 0
    log = EmbeddedEventLog(pool, ingest_batch)
    await log.submit([case_b.line(case_b.another_vendor("vendor-zzz"))])
    receipt = await create(pool, "vendor-zzz", AGENCY, "plan-zzz")
    assert [e["code"] for e in receipt["errors"]] == ["nothing_to_migrate"]


async def test_a_contract_awarded_a_moment_before_is_waited_for(pool: asyncpg.Pool) -> None:
    """An award in the log that migration has not applied yet (sent without
    waitForProcessing just before the request) may give the vendor its contract there:
    migration judges the request, as before."""
    running = today() + dt.timedelta(days=365)
    log = EmbeddedEventLog(pool, ingest_batch)
    await log.submit(
        [
            case_b.line(e)
            for e in (case_b.another_vendor("vendor-q"), tax_contract("vendor-q", running))
        ]
    )
    assert await create(pool, "vendor-q", TAX, "plan-q") == {"accepted": True, "errors": []}
    # Elsewhere nothing is on its way: refused.
    receipt = await create(pool, "vendor-q", AGENCY, "plan-q2")
    assert [e["code"] for e in receipt["errors"]] == ["nothing_to_migrate"]
    # An award the registry refused (its vendor never registered) never reaches migration.
    await log.submit([case_b.line(tax_contract("vendor-r", running))])
    settings = Settings(database_url="unused")
    await drain(pool, registry_setup.consumer(settings, registry_setup.policies(settings)))
    receipt = await create(pool, "vendor-r", TAX, "plan-r")
    assert [e["code"] for e in receipt["errors"]] == ["unknown_vendor"]


CONFIGURE = """mutation ($plan: ID!, $contractId: ID!, $dependsOn: [ID!]) {
  configureMigrationItem(planId: $plan, contractId: $contractId, item: {dependsOn: $dependsOn}) {
    accepted errors { field message code } } }"""


async def test_dependencies_that_close_a_cycle_are_refused_naming_it(pool: asyncpg.Pool) -> None:
    """c10 moves after c01 (the case); c01 asked to move after c10 was accepted, and the plan
    could then never be scheduled."""
    await the_case(pool)
    for contract_id, depends_on, cycle in [
        ("c01", ["c10"], "c01 → c10 → c01"),
        ("c04", ["c03", "c05"], "c04 → c05 → c04"),  # c05 moves after c04 (the case)
    ]:
        answer = await execute(
            pool, CONFIGURE, plan=PLAN, contractId=contract_id, dependsOn=depends_on
        )
        said = f"closes a dependency cycle, {cycle} (each must cut over after the next)"
        assert answer["configureMigrationItem"] == {
            "accepted": False,
            "errors": [
                {
                    "field": "item.dependsOn",
                    "message": f"{said}, which no schedule can keep",
                    "code": "dependency_cycle",
                }
            ],
        }
    assert await logged(pool) == 0
    # No cycle through the item: recorded.
    answer = await execute(pool, CONFIGURE, plan=PLAN, contractId="c01", dependsOn=["c03"])
    assert answer["configureMigrationItem"] == {"accepted": True, "errors": []}


async def test_a_cycle_from_another_producer_is_refused_from_the_rules_of_2026_12_06(
    pool: asyncpg.Pool,
) -> None:
    """Migration's own verdict on such an event from a raw producer: refused, naming the cycle,
    when the log recorded it from `THIRD_RULES_FROM` on; recorded before, applied as it was
    (a rebuild gives it the same verdict), and the planner names the cycle for want of a
    schedule."""
    await the_case(pool)
    closing = item_event("migration.item_configured", "c01", depends_on=["c10"])
    owners_now = consumer(FixedClock(TOKYO, THIRD_RULES_FROM))
    reason = await registry_db.rejection(pool, closing, owners_now)
    cycle = "c01 → c10 → c01 (each must cut over after the next)"
    assert reason == (
        f"payload.depends_on: closes a dependency cycle, {cycle}, which no schedule can keep"
    )
    await apply(pool, {**closing, "event_id": str(uuid.uuid4())})  # recorded before the rule
    schedule = (await replan(pool)).snapshot.schedule
    assert schedule.status is SolverStatus.INFEASIBLE
    assert schedule.conflicts == (f"dependency cycle: {cycle}",)


async def receipt_of(pool: asyncpg.Pool, query: str, **variables: Any) -> dict[str, Any]:
    """The receipt of a query of one mutation."""
    (receipt,) = (await execute(pool, query, **variables)).values()
    assert isinstance(receipt, dict)
    return receipt


SETTINGS = """mutation ($plan: ID!, $settings: MigrationPlanSettingsInput!) {
  configureMigrationPlan(planId: $plan, settings: $settings) {
    accepted errors { field message code } } }"""
ITEM = """mutation ($plan: ID!, $item: MigrationItemInput!) {
  configureMigrationItem(planId: $plan, contractId: "c01", item: $item) {
    accepted errors { field message code } } }"""
MILESTONE = """mutation ($plan: ID!, $contractId: ID!, $status: MigrationItemStatus!, $on: Date) {
  recordMigrationMilestone(planId: $plan, contractId: $contractId, status: $status, on: $on) {
    accepted errors { field message code } } }"""


async def test_a_deadline_already_past_is_refused_in_the_receipt(pool: asyncpg.Pool) -> None:
    """A deadline binds the cut-overs still to come: one gone by (a year typed wrong) could
    never be kept, and the plan then had no schedule."""
    await the_case(pool)
    yesterday = today() - dt.timedelta(days=1)
    gone = f"{yesterday} has passed; a deadline is a day still to come (today is {today()})"
    for query, argument in [(SETTINGS, "settings"), (ITEM, "item")]:
        given = {argument: {"deadlineOn": yesterday.isoformat()}}
        answer = await receipt_of(pool, query, plan=PLAN, **given)
        field = f"{argument}.deadlineOn"
        assert answer == {
            "accepted": False,
            "errors": [{"field": field, "message": gone, "code": "deadline_passed"}],
        }
    # Told beside the input's other problems, not after them.
    both = {"deadlineOn": yesterday.isoformat(), "phaseMonths": 0}
    answer = await receipt_of(pool, SETTINGS, plan=PLAN, settings=both)
    assert sorted((e["field"], e["code"]) for e in answer["errors"]) == [
        ("settings.deadlineOn", "deadline_passed"),
        ("settings.phaseMonths", "greater_than_equal"),
    ]
    assert await logged(pool) == 0
    # Cleared where none is set, it changes nothing (`no_change`); today, it is recorded.
    cleared = await receipt_of(pool, ITEM, plan=PLAN, item={"deadlineOn": None})
    assert [e["code"] for e in cleared["errors"]] == ["no_change"]
    kept = await receipt_of(pool, SETTINGS, plan=PLAN, settings={"deadlineOn": str(today())})
    dated = await receipt_of(pool, ITEM, plan=PLAN, item={"deadlineOn": str(today())})
    assert kept == dated == {"accepted": True, "errors": []}


async def test_a_milestone_dated_before_its_plan_was_opened_is_refused(
    pool: asyncpg.Pool,
) -> None:
    """The plan was opened on the first day of the suspension (2022-07-09): an item's status
    is the plan's record, which began then."""
    await the_case(pool)
    before = {
        "field": "on",
        "message": "2022-07-08 is before the plan was opened, on 2022-07-09",
        "code": "before_plan",
    }
    # A "done" then is not ready either, and is before c03's contract ends (2022-09-30).
    done = ["checklist_incomplete", "before_contract_end"]
    for status, also in [("IN_PROGRESS", []), ("DONE", done)]:
        answer = await receipt_of(
            pool, MILESTONE, plan=PLAN, contractId="c03", status=status, on="2022-07-08"
        )
        assert not answer["accepted"]
        # Each problem at once.
        first, *others = answer["errors"]
        assert first == before and [e["code"] for e in others] == also
    assert await logged(pool) == 0
    answer = await receipt_of(
        pool, MILESTONE, plan=PLAN, contractId="c03", status="IN_PROGRESS", on="2022-07-09"
    )
    assert answer == {"accepted": True, "errors": []}


CHOOSE = """mutation ($plan: ID!, $on: Date) {
  chooseReplacementVendor(planId: $plan, contractId: "c01", vendorId: "vendor-c", chosenOn: $on)
  { accepted errors { field message code } } }"""


async def test_a_replacement_chosen_before_its_plan_was_opened_is_refused(
    pool: asyncpg.Pool,
) -> None:
    """As a milestone is: the choice is the plan's record, which began on 2022-07-09; dated
    before, it was accepted and counted toward the item's lead time from a day the plan did
    not exist (a tester's finding)."""
    await the_case(pool)
    await registry_db.apply(pool, case_b.another_vendor("vendor-c"))  # eligible, by the registry
    answer = await receipt_of(pool, CHOOSE, plan=PLAN, on="2022-07-08")
    assert answer == {
        "accepted": False,
        "errors": [
            {
                "field": "chosenOn",
                "message": "2022-07-08 is before the plan was opened, on 2022-07-09",
                "code": "before_plan",
            }
        ],
    }
    assert await logged(pool) == 0
    answer = await receipt_of(pool, CHOOSE, plan=PLAN, on="2022-07-09")
    assert answer == {"accepted": True, "errors": []}


async def test_a_deadline_that_has_passed_since_it_was_set_may_be_sent_again(
    pool: asyncpg.Pool,
) -> None:
    """A client re-sending the settings it read (the deadline set when it was ahead, passed
    since) is not refused for it: alone, it changes nothing (`no_change`, not
    `deadline_passed`); beside a real change, it is taken."""
    await the_case(pool)
    yesterday = str(today() - dt.timedelta(days=1))
    # Set when still ahead: recorded through the log as migration takes it.
    await apply(
        pool,
        envelope("migration.plan_configured", {"plan_id": PLAN, "deadline_on": yesterday}, VENDOR),
        item_event("migration.item_configured", "c01", deadline_on=yesterday),
    )
    again = await receipt_of(pool, SETTINGS, plan=PLAN, settings={"deadlineOn": yesterday})
    item = await receipt_of(pool, ITEM, plan=PLAN, item={"deadlineOn": yesterday})
    assert [e["code"] for e in again["errors"] + item["errors"]] == ["no_change", "no_change"]
    settings = {"deadlineOn": yesterday, "capacity": 3}
    again = await receipt_of(pool, SETTINGS, plan=PLAN, settings=settings)
    item = await receipt_of(
        pool, ITEM, plan=PLAN, item={"deadlineOn": yesterday, "leadTimeMonths": 9}
    )
    assert again == item == {"accepted": True, "errors": []}


CHOOSE_ANY = """mutation ($plan: ID!, $contractId: ID!, $vendorId: ID!) {
  chooseReplacementVendor(planId: $plan, contractId: $contractId, vendorId: $vendorId,
    waitForProcessing: true) { accepted errors { field message code } } }"""


async def test_the_vendor_being_replaced_is_refused_as_its_own_replacement(
    pool: asyncpg.Pool,
) -> None:
    """A plan opened by hand for a vendor free to bid (a high risk score): the receipt
    answered `accepted: true` to it chosen as its own replacement, which migration then
    refused (a tester's finding). Refused at `vendorId` now, in migration's words, nothing
    recorded."""
    await registry_db.apply(pool, case_b.another_vendor("vendor-w"))  # eligible, by the registry
    award = tax_contract("vendor-w", dt.date(2027, 3, 31))
    award["payload"] |= {"contract_id": "w1", "agency": AGENCY}
    request = {"plan_id": "hand-w-1", "agency": AGENCY, "reason": "high risk"}
    await apply(pool, award, envelope_now("migration.plan_requested", request, "vendor-w"))
    before = await logged(pool)
    answer = await receipt_of(
        pool, CHOOSE_ANY, plan="hand-w-1", contractId="w1", vendorId="vendor-w"
    )
    said = "vendor-w is the vendor being replaced"
    assert answer == {
        "accepted": False,
        "errors": [{"field": "vendorId", "message": said, "code": "vendor_being_replaced"}],
    }
    assert await logged(pool) == before
    # Migration's words for the same choice from any other producer.
    chosen = {
        "plan_id": "hand-w-1",
        "contract_id": "w1",
        "replacement_vendor_id": "vendor-w",
        "chosen_on": str(today()),
    }
    reason = await refusal(pool, envelope("migration.replacement_chosen", chosen, "vendor-w"))
    assert reason == f"payload.replacement_vendor_id: {said}"
