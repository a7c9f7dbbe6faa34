"""Rows outside the chains' partitions (0 to 5): no append writes them, no chain covers them,
and no consumer reads them, yet the API's readers by vendor, subject and event id showed such
a row as an accepted record. A plain INSERT of one, which no trigger refused, is refused now
(platform migration 0016), and `verify` names any there is all the same: one there before
the upgrade, or inserted once the owner drops the constraint; the API's readers leave it out
(`eventStatus`, `events`, `auditTrail`, `node`)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import asyncpg
import pytest

from services.cli import rebuilding
from services.ingest.handlers import ingest_batch
from services.platform.consuming.rebuilding import BrokenChain
from services.platform.eventstore import verification
from services.platform.graphql import nodes
from services.platform.settings import Settings
from tests.support import case_b
from tests.support.in_process_api import execute
from tests.support.live_consumers import applied_live
from tests.support.record_receipts import submitted
from tests.support.upgrades import applied, migrated_but, new_database

pytestmark = pytest.mark.postgres

_INSERT = """INSERT INTO event_store (event_id, event_type, vendor_id, occurred_at, envelope,
                 content_hash, partition, seq, chain_hash, chain_version)
             VALUES ($1, 'sanction.lifted', $2, now(), $3::jsonb, $4, $5, 1, $6, 2)"""


async def _forge(
    database: asyncpg.Pool | asyncpg.Connection, partition: int, event: dict[str, Any] | None = None
) -> uuid.UUID:
    """A registration of vendor B (`event`'s, if given, as recorded) inserted at `partition`,
    hashes made up."""
    event = dict(event or case_b.another_vendor(case_b.VENDOR))
    event_id = uuid.uuid4()
    event["event_id"] = str(event_id)
    await database.execute(
        _INSERT, event_id, case_b.VENDOR, json.dumps(event), "f" * 64, partition, "e" * 64
    )
    return event_id


@pytest.mark.parametrize("partition", [6, -1])
async def test_a_row_outside_the_partitions_is_refused(pool: asyncpg.Pool, partition: int) -> None:
    with pytest.raises(asyncpg.CheckViolationError, match="event_store_partition_known"):
        await _forge(pool, partition)
    assert not await pool.fetchval("SELECT count(*) FROM event_store")


async def test_verify_and_a_rebuild_name_one_inserted_past_a_dropped_constraint(
    pool: asyncpg.Pool, database_url: str
) -> None:
    await ingest_batch(pool, [case_b.line(e) for e in (case_b.registered(), case_b.suspended())])
    await applied_live(pool, database_url)
    await pool.execute("ALTER TABLE event_store DROP CONSTRAINT event_store_partition_known")
    above, below = await _forge(pool, 6), await _forge(pool, -1)

    result = await verification.verify(pool)

    problems = [str(p) for p in result.problems]
    assert problems == [
        f"partition -1: 1 row(s) outside the chains' partitions (0 to 5), from seq 1 (e.g. event"
        f" {below}): no append writes there, so no chain covers them; they were inserted by hand",
        f"partition 6: 1 row(s) outside the chains' partitions (0 to 5), from seq 1 (e.g. event"
        f" {above}): no append writes there, so no chain covers them; they were inserted by hand",
    ]
    assert result.events == 2
    with pytest.raises(BrokenChain, match="outside the chains' partitions"):
        await rebuilding.rebuild(
            Settings(database_url=database_url), ["registry", "risk", "migration"], force=False
        )


async def test_one_there_before_the_upgrade_does_not_stop_it_and_is_named(
    postgres_admin_url: str,
) -> None:
    async with new_database(postgres_admin_url) as conn:
        bounded = await migrated_but(conn, "services.platform", 16)
        forged = await _forge(conn, 6)
        await applied(conn, bounded)
        with pytest.raises(asyncpg.CheckViolationError):
            await _forge(conn, 7)
        found = await conn.fetch(
            verification._OUTSIDE.replace("$1", "6")  # the walk's own statement
        )
    assert [(r["partition"], r["rows"], r["example"]) for r in found] == [(6, 1, str(forged))]


# What the API shows of the log: by event id, by vendor, by who recorded it, by global id.
READERS = """query ($id: ID!, $node: ID!) {
  eventStatus(eventId: $id) { accepted recordedAt pending }
  events(vendorId: "vendor-b") { totalCount edges { node { eventId } } }
  auditTrail { totalCount edges { node { eventId } } }
  node(id: $node) { id } }"""


async def test_the_api_leaves_out_one_inserted_past_a_dropped_constraint(
    pool: asyncpg.Pool,
) -> None:
    """As the log's owner may: the constraint dropped, then a copy of an event recorded
    through the API inserted at partition 6 and at -1, as if someone had recorded it."""
    receipt = await submitted(pool, case_b.registered())
    assert receipt["accepted"], receipt
    (recorded,) = await pool.fetch("SELECT event_id, envelope::text AS e FROM event_store")
    await pool.execute("ALTER TABLE event_store DROP CONSTRAINT event_store_partition_known")
    for partition in (6, -1):
        forged = await _forge(pool, partition, json.loads(recorded["e"]))
        node = nodes.encode("LoggedEvent", (str(forged),))
        shown = await execute(pool, READERS, id=str(forged), node=node)
        assert shown["eventStatus"] == {
            "accepted": False,
            "recordedAt": None,
            "pending": ["INGEST"],
        }
        only = {"totalCount": 1, "edges": [{"node": {"eventId": str(recorded["event_id"])}}]}
        assert (shown["events"], shown["auditTrail"], shown["node"]) == (only, only, None)
