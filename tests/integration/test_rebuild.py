"""`vendorwatch rebuild` while the system runs: every projection comes back byte for byte as
live processing made it, says nothing again, and a rebuild racing live consumers loses and
duplicates nothing; a plan's settings changed a field at a time are kept, live and rebuilt."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg
import pytest

from services.cli import rebuilding
from services.events.base import EventEnvelope
from services.events.migration import ChecklistCheck, MigrationPlanConfigured
from services.migration.setup import CONSUMER_NAME as MIGRATION
from services.platform.consuming import replay
from services.platform.consuming.consumer import Consumer
from services.platform.postgres.database import Connection
from services.platform.settings import Settings
from services.risk.handlers import CONSUMER_NAME as RISK
from tests.support import case_b, case_migration
from tests.support.event_examples import envelope
from tests.support.in_process_api import execute
from tests.support.migration_checks import operation, suspension_from_today
from tests.support.running_system import running_system, settled, submit
from tests.support.whole_case import AGENCY, PLAN, VENDOR, case_applied, the_case

pytestmark = pytest.mark.postgres


# A vendor nothing bars, whose plan opened by hand at the agency is withdrawn.
WITHDRAWN_VENDOR = "vendor-h"
PLAN_STATUSES = """{ migrationPlans { edges { node {
  planId status withdrawnAt withdrawalReason upToDate } } } }"""


def withdrawn_by_hand(start: dt.date) -> list[dict[str, Any]]:
    """WITHDRAWN_VENDOR registered, a contract at the agency, a plan opened by hand for it and
    withdrawn (a plan's status and withdrawal, rebuilt as they were)."""
    award = case_migration.awarded(start, case_migration.CONTRACTS[5])
    award = {**award, "payload": {**award["payload"], "contract_id": "h01"}}
    request = {"plan_id": "plan-h", "agency": AGENCY, "reason": "Critical risk score."}
    withdrawal = {"plan_id": "plan-h", "reason": "Opened before the risk review ended."}
    return [
        case_b.another_vendor(WITHDRAWN_VENDOR),
        {**award, "vendor_id": WITHDRAWN_VENDOR},
        envelope("migration.plan_requested", request, WITHDRAWN_VENDOR),
        envelope("migration.plan_withdrawn", withdrawal, WITHDRAWN_VENDOR),
    ]


async def answers(pool: asyncpg.Pool, known_at: dt.datetime, today: dt.date) -> str:
    """The fixed set of questions, answered through GraphQL, as one JSON text."""
    identifier = {"scheme": "corporate_number", "value": "7000012050002"}
    found = {
        "eligibility": await execute(
            pool, operation("bid-eligibility"), vendorId=VENDOR, asOf=today.isoformat()
        ),
        "as known": await execute(
            pool,
            operation("eligibility-as-known"),
            identifier=identifier,
            asOf=today.isoformat(),
            knownAt=known_at.isoformat(),
        ),
        "changes": await execute(pool, operation("registry-changes")),
        "score": await execute(pool, operation("risk-score"), vendorId=VENDOR),
        "history": await execute(pool, operation("risk-history"), vendorId=VENDOR),
        "riskiest": await execute(pool, operation("riskiest-vendors")),
        "plans": await execute(pool, operation("migration-plans"), vendorId=VENDOR),
        "versions": await execute(pool, operation("migration-plan-versions"), planId=PLAN),
        "plan": await execute(pool, operation("migration-plan"), planId=PLAN),
        "statuses": await execute(pool, PLAN_STATUSES),
    }
    return json.dumps(found, ensure_ascii=False, sort_keys=True, indent=1)


async def announced(pool: asyncpg.Pool) -> list[Any]:
    return [
        tuple(r)
        for r in await pool.fetch("SELECT * FROM registry_eligibility_state ORDER BY vendor_id")
    ]


# One batch, as the case fits in one; and batches of two events, so that the registry, risk
# and migration work on different batches at once (platform/consuming/replay.py's pipeline).
@pytest.mark.parametrize("batch_size", [replay.REPLAY_BATCH_SIZE, 2], ids=["one batch", "of 2"])
async def test_a_rebuild_of_everything_answers_byte_for_byte_as_before(
    pool: asyncpg.Pool, database_url: str, batch_size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(replay, "REPLAY_BATCH_SIZE", batch_size)
    settings = Settings(database_url=database_url)
    today = settings.clock.today()
    start = today.replace(day=1)
    async with running_system(pool, settings):
        known_at = await case_applied(pool, start)
        await submit(pool, *withdrawn_by_hand(start))
        await settled(pool)
        assert await pool.fetch("SELECT reason FROM dead_letters") == []
        before = await answers(pool, known_at, today)
        state_before = await announced(pool)
        stored_before = await pool.fetchval("SELECT count(*) FROM event_store")
        alerted = "SELECT alert_id, agency, change FROM alerts ORDER BY alert_id"
        alerts_before = await pool.fetch(alerted)

        rebuilt = await rebuilding.rebuild(settings, list(rebuilding.PROJECTIONS), force=False)
        await settled(pool)

        after = await answers(pool, known_at, today)
        assert after == before
        assert await announced(pool) == state_before
        # The suspension alerted the agencies whose contracts B holds, once, rebuild or not.
        assert alerts_before and {r["change"] for r in alerts_before} == {"barred"}
        assert await pool.fetch(alerted) == alerts_before
        # Nothing was said again: no announcement, risk.changed, plan or alert event in the log.
        assert await pool.fetchval("SELECT count(*) FROM event_store") == stored_before
    assert rebuilt.read == {name: stored_before for name in rebuilding.PROJECTIONS}
    assert rebuilt.verdicts_changed is not None and rebuilt.verdicts_changed.count == 0
    plan = json.loads(before)["versions"]["migrationPlan"]
    assert plan["versions"]["totalCount"] >= 2
    statuses = {
        e["node"]["planId"]: e["node"]["status"]
        for e in json.loads(before)["statuses"]["migrationPlans"]["edges"]
    }
    assert statuses["plan-h"] == "WITHDRAWN" and statuses[PLAN] == "OPEN"
    eligibility = json.loads(before)
    assert eligibility["eligibility"]["bidEligibility"]["eligible"] is False
    assert eligibility["as known"]["bidEligibility"]["eligible"] is True


async def _ledgers(pool: asyncpg.Pool) -> list[Any]:
    return [
        tuple(r)
        for r in await pool.fetch(
            """SELECT consumer, count(*), count(*) FILTER (WHERE refused) FROM processed_events
               GROUP BY consumer ORDER BY consumer"""
        )
    ]


def _risk_replay_held(monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """Risk's replay, made to stop at its first batch for good; set once it got there."""
    reached = asyncio.Event()
    projection = rebuilding.PROJECTIONS[RISK]

    def replaying(settings: Settings) -> Consumer:
        consumer = projection.replaying(settings)
        assert consumer.apply_all is not None

        async def held(conn: Connection, events: Sequence[EventEnvelope]) -> None:
            reached.set()
            await asyncio.Event().wait()  # until the rebuild is stopped

        return dataclasses.replace(consumer, apply_all=held)

    monkeypatch.setitem(
        rebuilding.PROJECTIONS, RISK, dataclasses.replace(projection, replaying=replaying)
    )
    return reached


async def test_while_a_rebuild_runs_and_after_it_is_stopped_the_answers_are_those_before(
    pool: asyncpg.Pool, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Readers never see a projection emptied or half replayed: each is rebuilt in one
    transaction, and one stopped half way leaves everything as it was."""
    settings = Settings(database_url=database_url)
    today = settings.clock.today()
    async with running_system(pool, settings):
        known_at = await case_applied(pool, today.replace(day=1))
        before = await answers(pool, known_at, today)
        ledgers_before = await _ledgers(pool)
        monkeypatch.setattr(replay, "REPLAY_BATCH_SIZE", 2)  # the registry runs batches ahead
        reached = _risk_replay_held(monkeypatch)
        rebuild = asyncio.create_task(
            rebuilding.rebuild(settings, list(rebuilding.PROJECTIONS), force=False)
        )
        async with asyncio.timeout(60):
            await reached.wait()
        assert await answers(pool, known_at, today) == before

        rebuild.cancel()
        with pytest.raises(asyncio.CancelledError):
            await rebuild
        assert await answers(pool, known_at, today) == before
        assert await _ledgers(pool) == ledgers_before


async def test_a_rebuild_racing_live_consumers_loses_and_duplicates_nothing(
    pool: asyncpg.Pool, database_url: str
) -> None:
    settings = Settings(database_url=database_url)
    vendors = [f"vendor-{i:03d}" for i in range(240)]
    async with running_system(pool, settings):

        async def keep_submitting() -> None:
            for i in range(0, len(vendors), 20):
                await submit(pool, *(case_b.another_vendor(v) for v in vendors[i : i + 20]))
                await asyncio.sleep(0.05)

        await submit(pool, case_b.registered())
        producer = asyncio.create_task(keep_submitting())
        await asyncio.sleep(0.2)
        await rebuilding.rebuild(settings, list(rebuilding.PROJECTIONS), force=False)
        await producer
        await settled(pool)
        applied = await pool.fetch(
            "SELECT consumer, count(*) AS n FROM processed_events GROUP BY consumer"
        )
        identity = await pool.fetch(
            "SELECT vendor_id, count(*) AS n FROM registry_changes WHERE kind = 'identity'"
            " GROUP BY vendor_id"
        )
        stored = await pool.fetchval(
            "SELECT count(*) FROM event_store WHERE event_type = 'vendor.registered'"
        )
    assert stored == len(vendors) + 1
    assert {r["consumer"]: r["n"] for r in applied}["registry"] == stored
    assert await pool.fetchval("SELECT count(*) FROM registry_vendors") == stored
    assert sorted(r["vendor_id"] for r in identity) == sorted([VENDOR, *vendors])
    assert {r["n"] for r in identity} == {1}
    assert await pool.fetchval("SELECT count(*) FROM registry_eligibility_state") == stored


PLAN_DAYS = """query PlanDays($planId: ID!) {
  migrationPlan(planId: $planId) {
    settings { deadlineOn earlyPenalty capacity }
    items { contractId criticality earliestOn deadlineOn }
  }
}"""


async def configure_plan(pool: asyncpg.Pool, **settings: Any) -> None:
    answer = await execute(
        pool, operation("configure-migration-plan"), planId=PLAN, settings=settings
    )
    assert answer["configureMigrationPlan"]["accepted"], answer


async def configure_item(pool: asyncpg.Pool, contract_id: str, **item: Any) -> None:
    answer = await execute(
        pool, operation("configure-migration-item"), planId=PLAN, contractId=contract_id, item=item
    )
    assert answer["configureMigrationItem"]["accepted"], answer


async def plan_days(pool: asyncpg.Pool) -> dict[str, Any]:
    plan: dict[str, Any] = (await execute(pool, PLAN_DAYS, planId=PLAN))["migrationPlan"]
    return {"settings": plan["settings"], **{i["contractId"]: i for i in plan["items"]}}


async def test_settings_changed_a_field_at_a_time_keep_the_others_live_and_rebuilt(
    pool: asyncpg.Pool, database_url: str
) -> None:
    settings = Settings(database_url=database_url)
    start = settings.clock.today().replace(day=1)
    deadline, earliest, item_deadline = (
        case_migration.month(start, n).isoformat() for n in (30, 12, 24)
    )
    async with running_system(pool, settings):
        await submit(pool, *the_case(start))
        await settled(pool)
        await configure_plan(pool, deadlineOn=deadline)
        await configure_item(pool, "c09", earliestOn=earliest, deadlineOn=item_deadline)
        await configure_item(pool, "c06", deadlineOn=item_deadline)
        await settled(pool)
        # Each change names one field: the days given before must survive them.
        await configure_plan(pool, earlyPenalty=5)
        await configure_item(pool, "c09", criticality="LEGALLY_MANDATED")
        await configure_item(pool, "c06", deadlineOn=None)  # null clears
        await settled(pool)
        live = await plan_days(pool)
        assert live["settings"] == {"deadlineOn": deadline, "earlyPenalty": 5, "capacity": 2}
        assert live["c09"] == {
            "contractId": "c09",
            "criticality": "LEGALLY_MANDATED",
            "earliestOn": earliest,
            "deadlineOn": item_deadline,
        }
        assert live["c06"]["deadlineOn"] is None
        # The log holds what the sender gave, not a null for every field left out.
        stored = await pool.fetch(
            "SELECT envelope->'payload' AS p FROM event_store"
            " WHERE event_type = 'migration.plan_configured' ORDER BY position"
        )
        assert [sorted(json.loads(r["p"])) for r in stored] == [
            ["deadline_on", "plan_id"],
            ["early_penalty", "plan_id"],
        ]
        # An event written before the fix carries every field, its nulls too: it clears the
        # plan's deadline, as it did when it was applied, and does so again in a rebuild.
        legacy = dict.fromkeys(MigrationPlanConfigured.model_fields) | {
            "plan_id": PLAN,
            "capacity": 3,
        }
        await submit(pool, envelope("migration.plan_configured", legacy, VENDOR))
        await settled(pool)
        before = await plan_days(pool)
        assert before["settings"] == {"deadlineOn": None, "earlyPenalty": 5, "capacity": 3}

        await rebuilding.rebuild(settings, [MIGRATION], force=False)
        await settled(pool)

        assert await plan_days(pool) == before
        assert before["c09"] == live["c09"]


def _owner(event_type: str, **payload: Any) -> dict[str, Any]:
    return envelope(event_type, {"plan_id": PLAN, "contract_id": "c01", **payload}, VENDOR)


async def test_a_rebuild_of_everything_judges_an_owners_event_with_eligibility_as_it_was(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """B's c01 gets a replacement, every check passed; the replacement is then barred (its
    eligibility_changed comes from the registry, in its partition), and the owner marks c01
    done: refused live, the replacement no longer eligible. A rebuild of everything hands
    migration the events in the order it applied them live, not in the registry's order
    (where the replacement's announcement, judged by no one, came after the owner's
    event), so the item is not done after it either."""
    settings = Settings(database_url=database_url)
    today = settings.clock.today()
    replacement = "vendor-replacement"
    async with running_system(pool, settings):
        await case_applied(pool, today.replace(day=1))
        chosen = today.isoformat()
        checks = [
            _owner("migration.checklist_updated", check=check.value, passed=True)
            for check in ChecklistCheck
        ]
        await submit(
            pool,
            case_b.another_vendor(replacement),
            _owner(
                "migration.replacement_chosen", replacement_vendor_id=replacement, chosen_on=chosen
            ),
            *checks,
        )
        await settled(pool)
        await submit(pool, suspension_from_today(replacement, "s-replacement"))
        await settled(pool)
        done = _owner("migration.item_status_changed", status="done", on=chosen)
        await submit(pool, done)
        await settled(pool)
        known_at = await pool.fetchval("SELECT max(recorded_at) FROM event_store")
        before = await answers(pool, known_at, today)
        refused = await pool.fetchval(
            "SELECT reason FROM dead_letters WHERE event_id = $1", uuid.UUID(done["event_id"])
        )
        assert refused is not None and "not eligible" in refused, refused

        await rebuilding.rebuild(settings, list(rebuilding.PROJECTIONS), force=False)
        await settled(pool)
        assert await answers(pool, known_at, today) == before
