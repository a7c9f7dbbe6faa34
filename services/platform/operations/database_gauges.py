"""Gauges read from the database rather than counted in a process: dead letters stored, each
outbox's backlog, the latest verification of the event store's chains and, in embedded mode,
how far each consumer is behind the event store.

The API samples them when scraped, and a distributed worker all but the outboxes' (replicas
and workers report the same values, which the dashboard takes the maximum of; an alert per
instance sees each process's): fresh at every scrape, and nothing to keep running between
scrapes. Dead letters are read from their tallies, kept with the writes
(`dead_letters.per_stage`), not counted: a scrape reads a few rows however many there are.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from services.platform.consuming import dead_letters
from services.platform.eventstore import chain_checks
from services.platform.eventstore.chain import PARTITIONS
from services.platform.operations import metrics
from services.platform.postgres.database import Connection

# The embedded consumers' "topic" in the lag metric: they read the event store itself.
STORE_TOPIC = "event_store"


async def store_lags(pool: asyncpg.Pool, consumers: Sequence[str]) -> dict[str, dict[int, int]]:
    """Per consumer and partition, the events of the event store after its offset (embedded
    mode, where offsets are seqs of the store)."""
    rows = await pool.fetch(
        """SELECT c.name, p.partition, coalesce(h.seq, 0) - coalesce(o.seq, 0) AS lag
           FROM unnest($1::text[]) AS c(name)
           CROSS JOIN generate_series(0, $2 - 1) AS p(partition)
           LEFT JOIN event_chain_heads h ON h.partition = p.partition
           LEFT JOIN consumer_offsets o ON o.consumer = c.name AND o.partition = p.partition""",
        list(consumers),
        PARTITIONS,
    )
    lags: dict[str, dict[int, int]] = {name: {} for name in consumers}
    for row in rows:
        lags[row["name"]][row["partition"]] = max(0, row["lag"])
    return lags


async def measured_store_lags(pool: asyncpg.Pool, consumers: Sequence[str]) -> dict[str, int]:
    """`store_lags` put on the lag gauge; returns each consumer's total (readiness)."""
    lags = await store_lags(pool, consumers)
    for consumer, partitions in lags.items():
        metrics.set_lag(consumer, STORE_TOPIC, partitions)
    return {consumer: sum(partitions.values()) for consumer, partitions in lags.items()}


async def sample(pool: asyncpg.Pool, outboxes: Sequence[str]) -> None:
    """Sets the dead-letter, outbox and chain gauges from the database (the API's)."""
    async with pool.acquire() as conn:
        await sample_on(conn, outboxes)


async def sample_on(conn: Connection, outboxes: Sequence[str] = ()) -> None:
    """`sample` on one connection: a distributed worker's probe's, without the outboxes (the
    API's /metrics has them). A worker exported the chain gauges at 0, never checked, while
    its /healthz gave the latest verification, and no dead letters."""
    for stage, letters in (await dead_letters.per_stage(conn)).items():
        metrics.DEAD_LETTERS.labels(stage).set(letters)
    for table in outboxes:
        # The tables are the services' own constants, never input.
        backlog = await conn.fetchval(f"SELECT count(*) FROM {table}")
        metrics.OUTBOX_BACKLOG.labels(table).set(backlog)
    if (checked := await chain_checks.latest(conn)) is not None:
        metrics.chain_checked(len(checked.problems), checked.checked_at.timestamp())
