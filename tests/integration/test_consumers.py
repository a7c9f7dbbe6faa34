"""Applying events to the registry: exactly once, rejections dead-lettered, order kept."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt

import asyncpg
import pytest

from services.alerts import setup as alerts
from services.events.base import EventEnvelope
from services.events.catalog import NO_VALUE, parse_event
from services.ingest.handlers import ingest_batch
from services.platform.consuming.consumer import (
    BATCH_SIZE,
    ONE_BY_ONE_UP_TO,
    Consumer,
    Handler,
    apply_batch,
    apply_serialized_batch,
)
from services.platform.eventlog.embedded import drain, run_consumers
from services.platform.operations.liveness import Liveness
from services.platform.operations.outages import is_outage
from services.platform.postgres.database import Connection
from services.platform.settings import Settings
from services.registry.reads import queries
from tests.support import case_b
from tests.support.event_examples import VALID_PAYLOADS, envelope
from tests.support.processes import eventually
from tests.support.registry import REGISTRY

pytestmark = pytest.mark.postgres

INSIDE = dt.date(2023, 3, 1)


async def _eligible(pool: asyncpg.Pool, day: dt.date) -> bool:
    async with pool.acquire() as conn:
        (answer,) = await queries.bid_eligibility_many(conn, [case_b.VENDOR], day)
    return answer.eligible


async def _known(pool: asyncpg.Pool) -> bool:
    async with pool.acquire() as conn:
        return await queries.vendor(conn, case_b.VENDOR) is not None


async def _barred(pool: asyncpg.Pool) -> bool:
    return await _known(pool) and not await _eligible(pool, INSIDE)


async def test_redelivered_events_have_their_effect_once(pool: asyncpg.Pool) -> None:
    events = [case_b.line(case_b.registered()), case_b.line(case_b.suspended())]
    first = await apply_serialized_batch(pool, REGISTRY, events)
    again = await apply_serialized_batch(pool, REGISTRY, events)
    assert (first.applied, again.applied, again.skipped_duplicates) == (2, 0, 2)
    assert await pool.fetchval("SELECT count(*) FROM registry_sanctions") == 1
    assert await pool.fetchval("SELECT count(*) FROM dead_letters") == 0


async def test_a_rejected_event_is_dead_lettered_and_the_batch_goes_on(
    pool: asyncpg.Pool,
) -> None:
    orphan = case_b.suspended(vendor_id="vendor-unknown", sanction_id="s-orphan")
    events = [
        case_b.line(orphan),
        case_b.line(case_b.registered()),
        case_b.line(case_b.suspended()),
    ]
    result = await apply_serialized_batch(pool, REGISTRY, events)
    assert (result.applied, result.rejected) == (2, 1)
    row = await pool.fetchrow("SELECT stage, reason, event_id FROM dead_letters")
    assert row is not None
    assert row["stage"] == "registry"
    assert "unknown vendor 'vendor-unknown'" in row["reason"]
    assert str(row["event_id"]) == orphan["event_id"]
    assert not await _eligible(pool, INSIDE)


async def test_one_refusal_among_many_refuses_only_it_without_a_savepoint_per_event(
    pool: asyncpg.Pool,
) -> None:
    # A rebuild applies thousands of events per batch: one refusal must not send them all
    # through the one-by-one path (the halves not at fault stay set-based).
    lines = [case_b.line(case_b.another_vendor(f"vendor-{i:03d}")) for i in range(200)]
    orphan = case_b.suspended(vendor_id="vendor-unknown", sanction_id="s-orphan")
    lines.insert(150, case_b.line(orphan))
    one_by_one: list[EventEnvelope] = []

    def counted(handler: Handler) -> Handler:
        async def run(conn: Connection, event: EventEnvelope) -> None:
            one_by_one.append(event)
            await handler(conn, event)

        return run

    consumer = dataclasses.replace(
        REGISTRY, handlers={t: counted(h) for t, h in REGISTRY.handlers.items()}
    )
    result = await apply_serialized_batch(pool, consumer, lines)
    assert (result.applied, result.rejected) == (200, 1)
    assert await pool.fetchval("SELECT count(*) FROM registry_vendors") == 200
    assert str(await pool.fetchval("SELECT event_id FROM dead_letters")) == orphan["event_id"]
    assert orphan["event_id"] in {str(e.event_id) for e in one_by_one}
    assert len(one_by_one) <= ONE_BY_ONE_UP_TO


async def test_the_registry_records_the_order_it_judged_in_refusals_included_once_each(
    pool: asyncpg.Pool,
) -> None:
    """What a rebuild judges in again (claim_order): the batch's order, the refused event in
    its place (its batch applied again after the refusal records nothing twice), an event
    delivered twice in the batch at its first place, one delivered again later not at all."""
    orphan = case_b.suspended(vendor_id="vendor-unknown", sanction_id="s-orphan")
    made = [case_b.another_vendor(f"vendor-order-{n}") for n in range(3)]
    batch = [made[2], orphan, made[0], made[2], made[1]]
    await apply_serialized_batch(pool, REGISTRY, [case_b.line(e) for e in batch])
    await apply_serialized_batch(pool, REGISTRY, [case_b.line(made[0])])
    recorded = await pool.fetch("SELECT consumer, event_id::text FROM claim_order ORDER BY seq")
    assert [tuple(r) for r in recorded] == [
        ("registry", e["event_id"]) for e in (made[2], orphan, made[0], made[1])
    ]


async def test_identifier_clash_is_rejected_without_partial_writes(pool: asyncpg.Pool) -> None:
    first = case_b.registered()
    clash = case_b.registered(vendor_id="vendor-c")
    await apply_serialized_batch(pool, REGISTRY, [case_b.line(first), case_b.line(clash)])
    assert await pool.fetchval("SELECT count(*) FROM registry_vendors") == 1
    reason = await pool.fetchval("SELECT reason FROM dead_letters")
    assert "already belong to another vendor" in reason and "vendor-b" in reason


async def test_a_failing_batch_is_rolled_back_whole(pool: asyncpg.Pool) -> None:
    await pool.execute("DROP TABLE registry_sanctions CASCADE")  # sanction writes now fail
    events = [case_b.line(case_b.registered()), case_b.line(case_b.suspended())]
    with pytest.raises(asyncpg.UndefinedTableError):
        await apply_serialized_batch(pool, REGISTRY, events)
    assert await pool.fetchval("SELECT count(*) FROM registry_vendors") == 0
    assert await pool.fetchval("SELECT count(*) FROM processed_events") == 0


async def test_embedded_consumer_tails_the_store_and_resumes_from_its_position(
    pool: asyncpg.Pool,
) -> None:
    await ingest_batch(pool, [case_b.line(case_b.registered())])
    tailing = asyncio.create_task(run_consumers(pool, [REGISTRY]))
    try:
        await eventually(lambda: _known(pool), "vendor B to be registered")
        # Appended while the consumer runs: NOTIFY wakes it.
        await ingest_batch(pool, [case_b.line(case_b.suspended())])
        await eventually(lambda: _barred(pool), "the suspension to apply")
    finally:
        tailing.cancel()
        with pytest.raises(asyncio.CancelledError):
            await tailing
    offsets = await pool.fetch(
        "SELECT partition, seq FROM consumer_offsets WHERE consumer = 'registry'"
    )
    heads = await pool.fetch("SELECT partition, seq FROM event_chain_heads")
    assert {(r["partition"], r["seq"]) for r in offsets} == {
        (r["partition"], r["seq"]) for r in heads
    }
    # A restarted consumer starts after its offsets: it reads nothing, so it neither applies
    # nor even records new offsets.
    updated_at = await pool.fetchval(
        "SELECT max(updated_at) FROM consumer_offsets WHERE consumer = 'registry'"
    )
    tailing = asyncio.create_task(run_consumers(pool, [REGISTRY]))
    await asyncio.sleep(0.5)
    tailing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await tailing
    assert updated_at == await pool.fetchval(
        "SELECT max(updated_at) FROM consumer_offsets WHERE consumer = 'registry'"
    )


async def test_embedded_consumer_retries_a_failing_batch_without_skipping_it(
    pool: asyncpg.Pool,
) -> None:
    await pool.execute("ALTER TABLE registry_sanctions RENAME TO sanctions_away")
    await ingest_batch(pool, [case_b.line(case_b.registered()), case_b.line(case_b.suspended())])
    liveness = Liveness("registry")
    # How long it was said to be failing as each batch committed: running again from the
    # first batch after the repair, not once the consumer has caught up.
    at_commits: list[float] = []

    async def committed() -> None:
        at_commits.append(liveness.failing_for())

    tailing = asyncio.create_task(
        run_consumers(pool, [REGISTRY], [liveness], {REGISTRY.name: committed})
    )

    async def failing() -> bool:  # what /healthz reports, and turns 503 on
        return liveness.failing_for() > 0

    try:
        await eventually(failing, "the batch to fail")
        await asyncio.sleep(0.5)  # and be retried meanwhile
        assert await pool.fetchval("SELECT count(*) FROM registry_vendors") == 0
        assert await pool.fetchval("SELECT count(*) FROM dead_letters") == 0
        assert await failing()
        await pool.execute("ALTER TABLE sanctions_away RENAME TO registry_sanctions")
        await eventually(lambda: _barred(pool), "the suspension after the repair")

        async def recovered() -> bool:  # marked once the retry returns, just after its commit
            return liveness.failing_for() == 0

        await eventually(recovered, "the consumer to be reported as running again")
        assert at_commits[0] == 0
    finally:
        tailing.cancel()
        with pytest.raises(asyncio.CancelledError):
            await tailing


async def _explode(conn: Connection, event: EventEnvelope) -> None:
    if event.vendor_id == "vendor-poison":
        raise ValueError("year 10000 is out of range")
    if event.vendor_id == "vendor-unlucky":
        # Its connection lost for real, mid-batch: PostgreSQL ends the handler's own session
        # (as a restart or a failover would), the batch's transaction with it.
        await conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")


EXPLODING = Consumer("exploding", {"vendor.registered": _explode})


async def _count(_conn: Connection, _event: EventEnvelope) -> None:
    """Applies nothing: the ledger row is what the tests look at."""


async def test_an_event_at_fault_is_dead_lettered_and_does_not_stall_the_consumer(
    pool: asyncpg.Pool,
) -> None:
    events = [case_b.line(case_b.another_vendor(v)) for v in ("vendor-a", "vendor-poison")]
    result = await apply_serialized_batch(pool, EXPLODING, events)
    assert (result.applied, result.rejected) == (1, 1)
    reason = await pool.fetchval("SELECT reason FROM dead_letters WHERE stage = 'exploding'")
    assert reason == "cannot be applied: ValueError: year 10000 is out of range"


async def test_a_transient_failure_rolls_the_batch_back_for_a_retry(pool: asyncpg.Pool) -> None:
    """A connection lost mid-batch is no fault of the event's: nothing of the batch is kept or
    dead-lettered, and what propagates is an outage, which the consumer's loop waits out and
    retries (a dead letter here would lose a good event to a restart of PostgreSQL)."""
    events = [case_b.line(case_b.another_vendor(v)) for v in ("vendor-a", "vendor-unlucky")]
    with pytest.raises(Exception) as lost:
        await apply_serialized_batch(pool, EXPLODING, events)
    assert is_outage(lost.value), repr(lost.value)
    assert await pool.fetchval("SELECT count(*) FROM processed_events") == 0
    assert await pool.fetchval("SELECT count(*) FROM dead_letters") == 0


async def test_retried_batches_record_each_dead_letter_once(pool: asyncpg.Pool) -> None:
    unreadable = b'{"event_type": "vendor.registered"}'
    orphan = case_b.line(case_b.suspended(vendor_id="vendor-unknown"))
    for _ in range(3):
        await apply_serialized_batch(pool, REGISTRY, [unreadable, orphan])
        await ingest_batch(pool, [unreadable])
    stages = await pool.fetch("SELECT stage FROM dead_letters ORDER BY stage")
    assert [r["stage"] for r in stages] == ["ingest", "registry", "registry"]


async def test_a_record_without_a_value_is_dead_lettered_beside_the_batch(
    pool: asyncpg.Pool,
) -> None:
    # A tombstone on a service's topic (written past the brokers' rules) raised on every
    # retry: the partition stalled behind it.
    result = await apply_serialized_batch(pool, REGISTRY, [None, case_b.line(case_b.registered())])
    assert (result.applied, result.rejected) == (1, 1)
    letter = await pool.fetchrow("SELECT stage, reason FROM dead_letters")
    assert letter is not None and tuple(letter) == ("registry", NO_VALUE)


async def test_apply_batch_ignores_event_types_the_consumer_does_not_handle(
    pool: asyncpg.Pool,
) -> None:
    # The registry does not take risk announcements (the risk service's own output).
    announced = parse_event(case_b.line(envelope("risk.changed", VALID_PAYLOADS["risk.changed"])))
    result = await apply_batch(pool, REGISTRY, [announced])
    assert result.applied == 0
    assert await pool.fetchval("SELECT count(*) FROM processed_events") == 0


DOWNSTREAM = Consumer("downstream", {"contract.awarded": _count}, verdict_from="registry")


async def _applied_by_downstream(pool: asyncpg.Pool) -> set[str]:
    rows = await pool.fetch(
        "SELECT event_id::text FROM processed_events WHERE consumer = 'downstream'"
    )
    return {r["event_id"] for r in rows}


async def test_a_service_after_the_registry_sees_only_what_it_judged_and_accepted(
    pool: asyncpg.Pool,
) -> None:
    refused = case_b.suspended(sanction_id="too-long", duration_months=24)
    contract = envelope("contract.awarded", VALID_PAYLOADS["contract.awarded"], case_b.VENDOR)
    await ingest_batch(pool, [case_b.line(e) for e in (case_b.registered(), refused, contract)])
    # Nothing judged yet: the downstream service waits at the first input event.
    assert await drain(pool, DOWNSTREAM) == 0
    await drain(pool, REGISTRY)
    assert await drain(pool, DOWNSTREAM) == 3
    assert await _applied_by_downstream(pool) == {contract["event_id"]}


async def test_a_long_run_of_refusals_does_not_stall_the_services_after_the_registry(
    pool: asyncpg.Pool,
) -> None:
    """More refused events in a row than a batch holds: they are passed over, not re-read."""
    orphans = [case_b.suspended(sanction_id=f"s-{i}") for i in range(BATCH_SIZE + 20)]
    contract = envelope("contract.awarded", VALID_PAYLOADS["contract.awarded"], case_b.VENDOR)
    await ingest_batch(pool, [case_b.line(e) for e in orphans])  # vendor B is not registered
    await ingest_batch(pool, [case_b.line(case_b.registered()), case_b.line(contract)])
    await drain(pool, REGISTRY)
    assert await drain(pool, DOWNSTREAM) == len(orphans) + 2
    assert await _applied_by_downstream(pool) == {contract["event_id"]}


async def test_a_follower_applies_nothing_its_judge_refuses_now_whatever_brought_it(
    pool: asyncpg.Pool,
) -> None:
    """Distributed mode's `facts` still holds what the registry passed on before a rebuild
    that refuses it now (another policy): a follower behind on the topic reaches it after
    the rebuild's commit, and must not apply it, as embedded mode's reader would not."""
    second = envelope("contract.awarded", VALID_PAYLOADS["contract.awarded"], case_b.VENDOR)
    second["payload"] = {**second["payload"], "contract_id": "C-2"}
    first = envelope("contract.awarded", VALID_PAYLOADS["contract.awarded"], case_b.VENDOR)
    lines = [case_b.line(e) for e in (case_b.registered(), first, second)]
    await ingest_batch(pool, lines)
    await drain(pool, REGISTRY)
    # The verdict a rebuild writes in the registry's ledger when it refuses the event now.
    await pool.execute(
        "UPDATE processed_events SET refused = true WHERE consumer = 'registry'"
        " AND event_id = $1::uuid",
        first["event_id"],
    )
    # Delivered as `facts` delivers it, its verdict no longer the one that sent it there.
    result = await apply_serialized_batch(pool, DOWNSTREAM, lines[1:])
    assert await _applied_by_downstream(pool) == {second["event_id"]}
    assert result.applied == 1


async def test_a_follower_leaves_unparsed_what_it_declaredly_does_not_apply(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """Records forwarded past the registry declare their event type (a Kafka header): the
    alerts consumer, which applies about six events in ten, does not parse the others, so a
    broken one of those is not its to dead-letter; one of a type it applies, or declaring
    none, is parsed and dead-lettered as before."""
    broken = [f'{{"event_type": "not an event", "n": {n}}}'.encode() for n in range(3)]
    result = await apply_serialized_batch(
        pool,
        alerts.consumer(Settings(database_url=database_url)),
        broken,
        ["incident.reported", "vendor.eligibility_changed", None],
    )
    assert (result.applied, result.rejected) == (0, 2)
    assert await pool.fetchval("SELECT count(*) FROM dead_letters WHERE stage = 'alerts'") == 2
