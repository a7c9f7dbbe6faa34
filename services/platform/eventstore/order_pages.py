"""Every recorded order read in pages and walked against its seals (order_seals.py), for
`verify` and a rebuild's walk (verification.py).

Each (consumer, partition of the event) is a chain of blocks in seq order, but the partition
is the event's (`event_store`), not the order's: ordering the rows by it had PostgreSQL sort
every order whole, joined to the log, before the first row came (work memory, then temporary
files, growing with the store). A consumer's rows are read instead in seq order along an
index on its table's seq, a page at a time after the last row read (keyset pages, in the
walk's snapshot), each with its event's partition looked up by event id; each row goes to its
partition's walk, which along a partition still sees its rows in seq order. What is held is a
page per table and, per (consumer, partition), the walk's block so far (order_seals.OrderWalk
holds its seal, not its rows). A page is walked in a worker thread, as the chains' rows are.
"""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

import asyncpg

from services.platform.eventstore import chain, order_seals
from services.platform.postgres.database import Connection
from services.platform.postgres.index_order import along_indexes

# Rows of a table of a recorded order read at a time.
PAGE = 2000
# Before any row: seqs are bigints (a row moved to a negative seq is still read).
_START = -(2**63)


@dataclass
class RecordedOrder:
    """A consumer's recorded order, and where its rows are, as SQL: (table, condition on its
    rows). One table but for an edited store: `claim_order` rows under the name of a consumer
    that keeps its order in a table of its own are walked with that table's, as one order."""

    consumer: str
    literal: str  # the consumer, as an SQL literal
    tables: list[tuple[str, str]] = field(default_factory=list)

    def pages(self) -> list[str]:
        """Each table's statement of its next `PAGE` rows in seq order after seq $1 (a
        table's seq is its key), read along its index (`claim_order`'s key or its (consumer,
        seq) index), each row with its event's partition (none: not in the log)."""
        return [
            f"""SELECT o.seq, o.event_id::text AS event_id, o.seal,
                       (SELECT s.partition FROM event_store s WHERE s.event_id = o.event_id)
                           AS partition
                FROM {table} o WHERE {condition} AND o.seq > $1
                ORDER BY o.seq LIMIT {PAGE}"""
            for table, condition in self.tables
        ]

    def rows(self) -> str:
        """A query of the order's rows, as `event_id` and `applied`: whether its table records
        applications (a service's own, written by its handler: risk's) rather than claims,
        refusals included (`claim_order`)."""
        return " UNION ALL ".join(
            f"SELECT event_id, {table != 'claim_order'} AS applied FROM {table} WHERE {condition}"
            for table, condition in self.tables
        )


async def recorded(conn: Connection) -> list[RecordedOrder]:
    """Every recorded order: `claim_order`'s rows of each consumer with rows there (the
    consumers found along its index, a probe each), and the tables services keep their
    orders in, which their migrations name in `recorded_orders` (risk's `risk_events`), so
    that the platform need not know them."""
    rows = await conn.fetch(
        """WITH RECURSIVE claiming (consumer) AS (
               (SELECT consumer FROM claim_order ORDER BY consumer LIMIT 1)
               UNION ALL
               SELECT (SELECT o.consumer FROM claim_order o WHERE o.consumer > c.consumer
                       ORDER BY o.consumer LIMIT 1)
               FROM claiming c WHERE c.consumer IS NOT NULL
           )
           SELECT consumer, quote_literal(consumer) AS literal, 'claim_order' AS rows,
                  'consumer = ' || quote_literal(consumer) AS condition
           FROM claiming WHERE consumer IS NOT NULL
           UNION ALL
           SELECT consumer, quote_literal(consumer), recorded_in::text, 'true'
           FROM recorded_orders
           ORDER BY 1, 3"""
    )
    orders: dict[str, RecordedOrder] = {}
    for row in rows:
        order = orders.setdefault(row["consumer"], RecordedOrder(row["consumer"], row["literal"]))
        order.tables.append((row["rows"], row["condition"]))
    return list(orders.values())


async def walked(conn: Connection, orders: Sequence[RecordedOrder]) -> list[tuple[str, str]]:
    """Each order's chains against their seals and heads (`claim_order_heads`): the first
    row of each chain that no longer matches, as (where, what), by consumer and partition.
    Rows naming an event not in the log are left to the ledgers' check (they have no
    partition), but each is tried in the chains it may be in (`_unlogged`)."""
    heads = {
        (r["consumer"], r["partition"]): (r["seq"], r["seal"])
        for r in await conn.fetch("SELECT consumer, partition, seq, seal FROM claim_order_heads")
    }
    walks: dict[tuple[str, int], order_seals.OrderWalk] = {}
    async with along_indexes(conn):
        for order in orders:
            async for rows in _in_seq_order(conn, order):
                await asyncio.to_thread(_walk, walks, order.consumer, rows)
    for key in heads.keys() - walks.keys():  # a head past rows all removed
        walks[key] = order_seals.OrderWalk(*key)
    problems = []
    for key in sorted(walks):
        walk = walks[key]
        walk.end(heads.get(key, (0, order_seals.GENESIS)))
        if walk.problem is not None:
            problems.append(walk.problem)
    return problems


async def _in_seq_order(
    conn: Connection, order: RecordedOrder
) -> AsyncIterator[list[asyncpg.Record]]:
    """The order's rows in seq order (of two tables, equal seqs in the tables' order), a
    batch at a time: each table's next page read once its last is passed on, and passed on
    up to the lowest last seq of the pages of tables not read to their end (their next rows
    come after it), at most a page per table held."""
    statements = order.pages()
    pages: list[list[asyncpg.Record]] = [[] for _ in statements]
    after = [_START] * len(statements)
    ended = [False] * len(statements)
    while True:
        for n, statement in enumerate(statements):
            if not pages[n] and not ended[n]:
                pages[n] = list(await conn.fetch(statement, after[n]))
                ended[n] = len(pages[n]) < PAGE
                after[n] = pages[n][-1]["seq"] if pages[n] else after[n]
        if not any(pages):
            return
        upto = min((after[n] for n in range(len(pages)) if not ended[n]), default=None)
        batch: list[tuple[int, int, asyncpg.Record]] = []
        for n, page in enumerate(pages):
            cut = len(page) if upto is None else bisect.bisect_right(page, upto, key=_seq)
            batch += [(row["seq"], n, row) for row in page[:cut]]
            pages[n] = page[cut:]
        yield [row for _, _, row in sorted(batch, key=lambda taken: taken[:2])]


def _seq(row: asyncpg.Record) -> int:
    seq: int = row["seq"]
    return seq


def _walk(
    walks: dict[tuple[str, int], order_seals.OrderWalk],
    consumer: str,
    rows: Sequence[asyncpg.Record],
) -> None:
    """A batch of `consumer`'s rows, each to its partition's walk. A row whose event is no
    longer in the log has no partition: it is offered to each of the consumer's chains
    (`_unlogged`)."""
    for row in rows:
        if row["partition"] is None:
            _unlogged(walks, consumer, row)
            continue
        key = (consumer, row["partition"])
        if (walk := walks.get(key)) is None:
            walk = walks[key] = order_seals.OrderWalk(*key)
        walk.check(row["seq"], row["event_id"], row["seal"])


def _unlogged(
    walks: dict[tuple[str, int], order_seals.OrderWalk], consumer: str, row: asyncpg.Record
) -> None:
    """A row of `consumer` whose event is no longer in the log, to the chain it may be in.
    Sealed, it closes the block whose seal it matches, if any (a hash per partition): a
    partition's last event removed from the log left its order sealed as it stood, not rows
    inserted after the last seal. Unsealed, every chain holds its open block both with it and
    without it (OrderWalk.may_hold_unlogged), and the next seal of the chain it was in
    settles it: any other event removed from the log left its block, as the order stands,
    matching its seal, where leaving the row out broke it. What was removed is the log's to
    name (its chain, the ledgers' check), not the order's."""
    for partition in range(chain.PARTITIONS):
        key = (consumer, partition)
        if row["seal"] is None:
            walks.setdefault(key, order_seals.OrderWalk(*key)).may_hold_unlogged(
                row["seq"], row["event_id"]
            )
            continue
        walk = walks.get(key) or order_seals.OrderWalk(*key)
        if walk.sealed_by_unlogged(row["seq"], row["event_id"], row["seal"]):
            walks[key] = walk
            return
