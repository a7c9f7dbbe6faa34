"""`eventStatus` (what a receipt waiting for processing asks every 0.1 s) over a large ledger,
through the in-process API, next to the bare SQL that answers it by key, sent by plain
asyncpg in the same rounds. Its cost must not grow with the ledger: looked up by the event
alone, the ledger's key (consumer, event) was read whole, 0.23 s at a million events.

The ledger is written by COPY (the services' own claims would take minutes to fill it), as
every consumer claims an event: VENDORWATCH_BENCH_LEDGER events (200,000 by default), each
claimed by the four services. No time is asserted; every answer is checked.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable

import asyncpg
import pytest

from services.ingest.handlers import ingest_batch
from services.platform.graphql.processing import StageName
from tests.support import case_b
from tests.support.in_process_api import execute
from tests.support.latency import Latencies, LatencyComparison
from tests.support.throughput import rounds

pytestmark = pytest.mark.postgres

STATUS = "query ($id: ID!) { eventStatus(eventId: $id) { accepted appliedBy refusedBy } }"
CONSUMERS = ("registry", "risk", "migration", "alerts")
ASKED = 200  # statuses asked per round


def _ledger_size() -> int:
    return int(os.environ.get("VENDORWATCH_BENCH_LEDGER", "200000"))


async def test_event_status_stays_a_lookup_as_the_ledger_grows(
    pool: asyncpg.Pool, latency_report: Callable[[LatencyComparison], None]
) -> None:
    stored = case_b.registered()
    await ingest_batch(pool, [case_b.line(stored)])
    others = [uuid.uuid4() for _ in range(_ledger_size())]
    for consumer in CONSUMERS:
        await pool.copy_records_to_table(
            "processed_events",
            records=[(consumer, e) for e in (*others, uuid.UUID(stored["event_id"]))],
            columns=["consumer", "event_id"],
        )
    await pool.execute("ANALYZE processed_events")
    bare = """SELECT consumer, refused FROM processed_events
              WHERE consumer = ANY($2::text[]) AND event_id = $1 ORDER BY consumer"""
    stages = [stage.value for stage in StageName]
    comparison = LatencyComparison(
        f"eventStatus, {_ledger_size():,} events in the ledger",
        "its statements by key (asyncpg)",
    )
    for _ in range(rounds()):
        ours, baseline = Latencies(), Latencies()
        for _ in range(ASKED):
            started = time.perf_counter()
            answer = (await execute(pool, STATUS, id=stored["event_id"]))["eventStatus"]
            ours.add(time.perf_counter() - started)
            assert answer["accepted"] and sorted(answer["appliedBy"]) == sorted(
                c.upper() for c in CONSUMERS
            )
            started = time.perf_counter()
            async with pool.acquire() as conn:
                await conn.fetchrow(
                    "SELECT recorded_at, event_type FROM event_store WHERE event_id = $1",
                    uuid.UUID(stored["event_id"]),
                )
                rows = await conn.fetch(bare, uuid.UUID(stored["event_id"]), stages)
                await conn.fetch(
                    "SELECT * FROM dead_letters WHERE event_id = $1",
                    uuid.UUID(stored["event_id"]),
                )
            baseline.add(time.perf_counter() - started)
            assert len(rows) == len(CONSUMERS)
        comparison.add_round(ours, baseline)
    latency_report(comparison)
    print("\n" + " | ".join(comparison.row()))
