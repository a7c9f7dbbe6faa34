"""Every event a service has applied, or recorded the order of, must be in the log (a rebuild
following an order that names an event no longer there would pass over it): `verify`'s
check of the ledgers (verification.py).

Each row is looked up in the log by its event id, one probe of the log's unique index per
row, a consumer's rows counted as they come. Anti-joining every ledger row to the log at once
had PostgreSQL hash the whole log's event ids and sort the missing rows to group them: work
memory, then temporary files, growing with the store (5,000 events under the smallest
`work_mem`). A lookup written as a scalar subquery is never turned into a join, whatever the
statistics say, so nothing is hashed or sorted but the few rows of the result.
"""

from __future__ import annotations

from collections.abc import Sequence

from services.platform.eventstore.order_pages import RecordedOrder
from services.platform.postgres.database import Connection

# Of a row `r` with an `event_id`: whether its event is not in the log.
_UNLOGGED = "(SELECT s.event_id FROM event_store s WHERE s.event_id = r.event_id) IS NULL"
_FOUND = "count(*) AS missing, min(r.event_id::text) AS example"

_LEDGER_ROWS = {
    "applied": "applied event(s) are",
    "ordered": "event(s) its recorded order names are",
}


async def unlogged(conn: Connection, orders: Sequence[RecordedOrder]) -> list[tuple[str, str]]:
    """Each consumer's ledger (`processed_events`) and recorded order (`orders`) rows that
    name an event not in the log, as (where, what) by consumer: how many, and one of them.
    The ledger's consumers are found along its key, a probe each."""
    ordered = [
        f"""SELECT {order.literal}, 'ordered', {_FOUND} FROM ({order.rows()}) r
            WHERE {_UNLOGGED} HAVING count(*) > 0"""
        for order in orders
    ]
    rows = await conn.fetch(
        " UNION ALL ".join(
            [
                f"""(WITH RECURSIVE applying (consumer) AS (
                         (SELECT consumer FROM processed_events ORDER BY consumer LIMIT 1)
                         UNION ALL
                         SELECT (SELECT p.consumer FROM processed_events p
                                 WHERE p.consumer > a.consumer ORDER BY p.consumer LIMIT 1)
                         FROM applying a WHERE a.consumer IS NOT NULL
                     )
                     SELECT a.consumer, 'applied' AS what, found.missing, found.example
                     FROM applying a CROSS JOIN LATERAL (
                         SELECT {_FOUND} FROM processed_events r
                         WHERE r.consumer = a.consumer AND {_UNLOGGED}
                     ) found
                     WHERE a.consumer IS NOT NULL AND found.missing > 0)""",
                *ordered,
            ]
        )
        + " ORDER BY 1, 2"
    )
    return [
        (
            f"ledger of {r['consumer']}",
            f"{r['missing']} {_LEDGER_ROWS[r['what']]} not in the log (e.g. {r['example']})",
        )
        for r in rows
    ]
