"""`verify` walks each recorded order a page at a time, in seq order along an index, each row
to its partition's chain (eventstore/order_pages.py), where it had PostgreSQL sort every order
whole by the partition of its events. An order longer than a page still has its first bad
block named, and PostgreSQL sorts none of it: the walk needs no temporary file under the
smallest `work_mem` (the whole sort of these 5,000 rows took one)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from services.ingest.handlers import ingest_batch
from services.platform.consuming.consumer import apply_serialized_batch
from services.platform.eventstore import order_pages, verification
from services.platform.settings import Settings
from services.registry import setup as registry_setup
from services.registry.handlers import registry_consumer
from tests.support import case_b

pytestmark = pytest.mark.postgres

CLAIMS = 5 * order_pages.PAGE // 2
BATCH = 500  # a block per partition and batch: about 80 rows


@pytest.fixture
async def claimed(pool: asyncpg.Pool, database_url: str) -> AsyncIterator[list[asyncpg.Record]]:
    """`CLAIMS` registrations claimed by the registry, `BATCH` a batch: its recorded order,
    with each row's partition."""
    events = [case_b.another_vendor(f"vendor-page-{n}") for n in range(CLAIMS)]
    await ingest_batch(pool, [case_b.line(e) for e in events])
    settings = Settings(database_url=database_url)
    consumer = registry_consumer(settings.clock, registry_setup.policies(settings))
    for start in range(0, CLAIMS, BATCH):
        batch = events[start : start + BATCH]
        await apply_serialized_batch(pool, consumer, [case_b.line(e) for e in batch])
    yield await pool.fetch(
        """SELECT o.seq, o.event_id::text AS event_id, o.seal, s.partition
           FROM claim_order o JOIN event_store s USING (event_id)
           WHERE o.consumer = 'registry' ORDER BY o.seq"""
    )


def _block_in_the_last_page(rows: list[asyncpg.Record]) -> list[asyncpg.Record]:
    """The rows of a block (a batch's claims of one partition) past the second page."""
    partition = rows[-1]["partition"]
    along = [r for r in rows if r["partition"] == partition]
    ends = [n for n, r in enumerate(along) if r["seal"] is not None]
    start = next(n + 1 for n in ends if along[n]["seq"] > 2 * order_pages.PAGE)
    end = next(n for n in ends if n >= start)
    return along[start : end + 1]


async def test_an_order_longer_than_a_page_is_walked_unsorted_to_its_first_bad_block(
    claimed: list[asyncpg.Record], pool: asyncpg.Pool
) -> None:
    assert len(claimed) == CLAIMS
    block = _block_in_the_last_page(claimed)
    first, second = block[0], block[1]
    await pool.execute(
        "UPDATE claim_order SET event_id = CASE seq WHEN $1 THEN $4::uuid ELSE $3::uuid END"
        " WHERE seq IN ($1, $2)",
        first["seq"],
        second["seq"],
        first["event_id"],
        second["event_id"],
    )
    named: Any = (
        f"recorded order of registry, partition {first['partition']}, order row {first['seq']}"
        f" (event {second['event_id']})",
        f"the rows from here to order row {block[-1]['seq']} no longer match their seal: rows were"
        " edited, removed, inserted or reordered",
    )

    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
        # Any sort beyond 64 kB goes to a temporary file, and none is allowed.
        await conn.execute("SET LOCAL work_mem = '64kB'; SET LOCAL temp_file_limit = 0")
        problems = await order_pages.walked(conn, await order_pages.recorded(conn))
    assert problems == [named]

    result = await verification.verify(pool)
    assert [(p.where, p.what) for p in result.problems] == [named]


async def test_an_order_in_two_tables_is_walked_in_seq_order_across_both(
    claimed: list[asyncpg.Record], pool: asyncpg.Pool
) -> None:
    """Rows of `claim_order` under the name of a consumer that keeps its order in a table of
    its own (an edited store) are walked with that table's, as one order: here risk's, its
    seqs alternating between the tables, longer than a page in each, one block per partition
    sealed over both. Taken out of seq order, a block would not match its seal. The rows are
    written as the database's owner can, past the triggers that refuse rows inserted without
    their seal, and sealed after, with risk's ledger rows of those events (an order naming
    events its ledger does not hold is named)."""
    await pool.execute(
        """INSERT INTO processed_events (consumer, event_id)
           SELECT 'risk', event_id FROM claim_order WHERE consumer = 'registry';
           ALTER TABLE risk_events DISABLE TRIGGER risk_events_sealed;
           ALTER TABLE claim_order DISABLE TRIGGER claim_order_sealed;
           INSERT INTO risk_events (seq, event_id)
           SELECT 10000 + 2 * seq, event_id FROM claim_order WHERE consumer = 'registry';
           INSERT INTO claim_order (seq, consumer, event_id)
           SELECT 10001 + 2 * seq, 'risk', event_id FROM claim_order WHERE consumer = 'registry';
           WITH o AS (
               SELECT seq, event_id FROM risk_events
               UNION ALL SELECT seq, event_id FROM claim_order WHERE consumer = 'risk'
           ), blocks AS (
               SELECT s.partition, max(o.seq) AS seq,
                      encode(sha256(convert_to(concat_ws('|', repeat('0', 64), 'risk',
                          s.partition, string_agg(o.seq || ':' || o.event_id, ','
                          ORDER BY o.seq)), 'UTF8')), 'hex') AS seal
               FROM o JOIN event_store s USING (event_id) GROUP BY s.partition
           ), in_risk AS (
               UPDATE risk_events r SET seal = b.seal FROM blocks b WHERE r.seq = b.seq
           ), in_claims AS (
               UPDATE claim_order c SET seal = b.seal FROM blocks b WHERE c.seq = b.seq
           )
           UPDATE claim_order_heads h SET seq = b.seq, seal = b.seal
           FROM blocks b WHERE h.consumer = 'risk' AND h.partition = b.partition;
           ALTER TABLE risk_events ENABLE TRIGGER risk_events_sealed;
           ALTER TABLE claim_order ENABLE TRIGGER claim_order_sealed"""
    )
    assert (await verification.verify(pool)).intact

    await pool.execute(
        "UPDATE claim_order SET seq = 9999 WHERE seq = (SELECT max(seq) FROM claim_order)"
    )
    problems = [p.where for p in (await verification.verify(pool)).problems]
    assert len(problems) == 1 and problems[0].startswith("recorded order of risk, partition")
