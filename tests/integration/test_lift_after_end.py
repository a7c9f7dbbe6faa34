"""A lift effective after the sanction's last day changes nothing: the registry refuses it
(`no_change`, naming the last day) for events recorded from `later_rules.FOURTH_RULES_FROM`
on, the receipt whenever asked; one recorded before it stays applied, in a rebuild too, and no
longer blocks the real lift (real PostgreSQL). Found by exploratory testing: such a lift was
applied and then refused every real lift as `lifted_already`, the vendor staying barred."""

from __future__ import annotations

import datetime as dt

import asyncpg
import pytest

from services.cli import rebuilding
from services.ingest.handlers import ingest_batch
from services.platform.consuming.consumer import apply_serialized_batch
from services.platform.eventlog.embedded import EmbeddedEventLog, drain
from services.platform.eventstore import later_rules
from services.platform.settings import Settings
from services.registry import setup as registry_setup
from tests.support import case_b
from tests.support.event_examples import graphql_input
from tests.support.record_receipts import logged, receipt
from tests.support.registry import REGISTRY
from tests.support.registry_db import apply, eligibility, rejection
from tests.support.rule_instants import DAY, FAR, PAST, REGISTRY_VERDICTS
from tests.support.sanction_mutations import LIFT

pytestmark = pytest.mark.postgres

# case_b's suspension runs 2022-07-09..2024-01-08 (18 months).
AFTER_END = "2025-11-01"
SAID = (
    "sanction 'city-2022-001' has ended by then, its last day being 2024-01-08;"
    " a lift from 2025-11-01 would change nothing"
)


async def test_a_lift_after_the_last_day_is_refused_in_the_receipt_and_the_registry(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    await apply(pool, case_b.registered(), case_b.suspended())
    # The receipt refuses it whenever asked: nothing is recorded of what it refuses.
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", FAR)
    payload = graphql_input(case_b.lifted(AFTER_END)["payload"])
    answer = await receipt(pool, LIFT, vendorId=case_b.VENDOR, payload=payload)
    assert answer == {
        "accepted": False,
        "errors": [{"field": "payload.effectiveOn", "message": SAID, "code": "no_change"}],
    }
    assert await logged(pool) == 0
    # The registry, of one recorded from the rule on, in the same words.
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", PAST)
    assert await rejection(pool, case_b.lifted(AFTER_END)) == f"payload.effective_on: {SAID}"
    # Its last day lifted, or any day before, still ends something.
    assert (
        await receipt(
            pool,
            LIFT,
            vendorId=case_b.VENDOR,
            payload=graphql_input(case_b.lifted("2024-01-08")["payload"]),
        )
    )["accepted"]


async def test_the_last_day_counts_every_amendment_in_one_batch_too(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", PAST)
    longer = case_b.amended(effective_on="2023-01-01", ends_on="2025-12-31")
    longer["payload"]["policy_override_reason"] = "Repeated offence."
    # Judged together (the batch's own headers): within the amended period, it ends it.
    await apply(pool, case_b.registered(), case_b.suspended(), longer, case_b.lifted(AFTER_END))
    assert not (await eligibility(pool, case_b.VENDOR, "2025-10-31")).eligible
    assert (await eligibility(pool, case_b.VENDOR, AFTER_END)).eligible
    other = "city-2022-002"
    shorter = case_b.amended(sanction_id=other, effective_on="2023-01-01", ends_on="2023-06-30")
    late = case_b.lifted("2023-07-01", other)
    batch = [case_b.suspended(sanction_id=other), shorter, late]
    await apply_serialized_batch(pool, REGISTRY, [case_b.line(e) for e in batch])
    said = await pool.fetch("SELECT event_id, reason FROM dead_letters")
    assert [(str(r["event_id"]), r["reason"]) for r in said] == [
        (
            late["event_id"],
            f"payload.effective_on: sanction {other!r} has ended by then, its last day being"
            " 2023-06-30; a lift from 2023-07-01 would change nothing",
        )
    ]


async def test_a_lift_that_changed_nothing_recorded_before_blocks_no_real_lift(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Recorded before the rule: applied as it was (a rebuild keeps that verdict).
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", FAR)
    mistaken = case_b.lifted(AFTER_END)
    await apply(pool, case_b.registered(), case_b.suspended(), mistaken)
    real = case_b.lifted("2023-01-01")
    # Before the rule, it blocked the real lift, in the receipt and the registry.
    payload = graphql_input(real["payload"])
    blocked = await receipt(pool, LIFT, vendorId=case_b.VENDOR, payload=payload)
    assert [e["code"] for e in blocked["errors"]] == ["lifted_already"]
    assert "was lifted from 2025-11-01" in await rejection(pool, real)

    # From the rule on, the real lift is taken and ends the sanction from its day.
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", PAST)
    taken = await receipt(pool, LIFT, vendorId=case_b.VENDOR, payload=payload)
    assert taken == {"accepted": True, "errors": []}
    await apply(pool, case_b.lifted("2023-01-01"))
    assert (await eligibility(pool, case_b.VENDOR, "2023-01-01")).eligible
    assert not (await eligibility(pool, case_b.VENDOR, "2022-12-31")).eligible
    # Once lifted for real, it is lifted: no third lift.
    again = await receipt(
        pool,
        LIFT,
        vendorId=case_b.VENDOR,
        payload=graphql_input(case_b.lifted("2022-10-01")["payload"]),
    )
    assert [e["message"] for e in again["errors"]] == [
        "sanction 'city-2022-001' was lifted from 2023-01-01"
    ]


async def test_a_rebuild_keeps_the_verdicts_given_either_side_of_the_rule(
    pool: asyncpg.Pool, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(database_url=database_url)
    log = EmbeddedEventLog(pool, ingest_batch)
    registry = registry_setup.consumer(settings, registry_setup.policies(settings))
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", dt.datetime.now(dt.UTC) + DAY)
    before = case_b.lifted(AFTER_END)
    other = case_b.suspended(sanction_id="city-2022-002")
    await log.submit([case_b.line(e) for e in (case_b.registered(), case_b.suspended(), other)])
    await log.submit([case_b.line(before)])
    await drain(pool, registry)
    recorded = await pool.fetchval("SELECT max(recorded_at) FROM event_store")
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", recorded + dt.timedelta(microseconds=1))
    after = case_b.lifted(AFTER_END, "city-2022-002")
    await log.submit([case_b.line(after)])
    await drain(pool, registry)
    live = {str(r["event_id"]): r["refused"] for r in await pool.fetch(REGISTRY_VERDICTS)}
    assert (live[before["event_id"]], live[after["event_id"]]) == (False, True)

    await rebuilding.rebuild(settings, ["registry"], force=True)
    assert {str(r["event_id"]): r["refused"] for r in await pool.fetch(REGISTRY_VERDICTS)} == live
