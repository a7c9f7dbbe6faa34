"""The consumers' ledgers (`processed_events`) and offsets against the log and the recorded
orders: `verify`'s checks of what a rebuild replays and where the live readers go on from
(verification.py).

- Every event a service has applied or refused, or recorded the order of, must be in the log
  (a rebuild following an order that names an event no longer there would pass over it);
  the ledger's rows are counted by their flag.
- Every event of a sealed recorded order must have its row in that consumer's ledger, as
  applied where the order records applications (a table a service names in
  `recorded_orders`, written by its handler: risk's `risk_events`); `claim_order` records
  claims, refusals included. A rebuild replays what the ledger says was applied
  (rebuilding.REACHED): a row removed had it drop the event silently. The seals prove the
  order, so the order proves the ledger.
- A follower applies nothing its judge's ledger refuses (ledger_claims.claim): an event in a
  follower's order that its ledger says it applied, and the judge's refused, is a
  contradiction.
- A refused row has a dead letter of its consumer saying why (consumer.py `_refuse`, in the
  same transaction; nothing removes letters): one without is a flag set by hand.
- The judge claims every input event (`event_store.VERDICT_FROM`): each one stored at or
  below its offsets (embedded mode) must be in its ledger. With the order's count equal to
  the ledger's, that makes the judge's ledger and its order one set of events.
- No offset may be past its partition's head: the events appended there next would be taken
  for read already, and never applied (the live reader reads again from the head,
  eventlog/embedded.py).

Bounded: each row is looked up by its key, one probe of an index per row, a consumer's rows
counted as they come. Anti-joining every ledger row to the log at once had PostgreSQL hash
the whole log's event ids and sort the missing rows to group them: work memory, then
temporary files, growing with the store (5,000 events under the smallest `work_mem`). A
lookup written as a scalar subquery is never turned into a join, whatever the statistics
say, so nothing is hashed or sorted but the few rows of the result.
"""

from __future__ import annotations

from collections.abc import Sequence

from services.events.catalog import EMITTED_TYPES
from services.platform.eventstore.event_store import VERDICT_FROM
from services.platform.eventstore.order_pages import RecordedOrder
from services.platform.postgres.database import Connection

# Of a row `r` with an `event_id`: whether its event is not in the log.
_UNLOGGED = "(SELECT s.event_id FROM event_store s WHERE s.event_id = r.event_id) IS NULL"
# Of a row `r` with an `event_id`, and a consumer (SQL): its verdict in that consumer's
# ledger, null without a row there.
_VERDICT = (
    "(SELECT p.refused FROM processed_events p WHERE p.consumer = {consumer}"
    " AND p.event_id = r.event_id)"
)
_JUDGE = f"'{VERDICT_FROM}'"

_LEDGER_ROWS = {
    "applied": "applied event(s) are not in the log",
    "refused": "refused event(s) are not in the log",
    "ordered": "event(s) its recorded order names are not in the log",
    "unlettered": "event(s) are refused in its ledger with no dead letter of its saying why:"
    " refused flags were set by hand",
    "unclaimed": "event(s) its sealed recorded order names have no row in its ledger:"
    " ledger rows were removed",
    "unapplied": "event(s) its sealed recorded order says it applied are refused in its ledger:"
    " refused flags were changed",
    "overruled": f"event(s) it applied, in its sealed recorded order, are refused in the"
    f" {VERDICT_FROM}'s ledger, whose refusals it never applies: refused flags were changed",
}


def _tallied(checks: dict[str, str]) -> tuple[str, str]:
    """Of rows `r` (`f` once counted): columns counting those meeting each condition (by
    name), each with an example event; and the lateral join turning them into rows (what,
    missing, example), one per check."""
    columns = ", ".join(
        f"count(*) FILTER (WHERE {condition}) AS {name},"
        f" min(r.event_id::text) FILTER (WHERE {condition}) AS {name}_e"
        for name, condition in checks.items()
    )
    values = ", ".join(f"('{name}', f.{name}, f.{name}_e)" for name in checks)
    return columns, f"CROSS JOIN LATERAL (VALUES {values}) AS v(what, missing, example)"


async def unlogged(conn: Connection, orders: Sequence[RecordedOrder]) -> list[tuple[str, str]]:
    """Each consumer's ledger and recorded order (`orders`) against the log and each other,
    as (where, what) by consumer: how many rows are at fault, and one of them. The ledger's
    consumers are found along its key, a probe each."""
    applied, as_applied = _tallied(
        {
            "applied": "r.unlogged AND NOT r.refused",
            "refused": "r.unlogged AND r.refused",
            "unlettered": "r.refused AND (SELECT d.id FROM dead_letters d"
            " WHERE d.event_id = r.event_id AND d.stage = r.consumer LIMIT 1) IS NULL",
        }
    )
    ordered, as_ordered = _tallied(
        {
            "ordered": _UNLOGGED,
            "unclaimed": "own IS NULL",
            "unapplied": "applied AND own",
            "overruled": "judged AND NOT own",
        }
    )
    orders_checked = [
        f"""SELECT {order.literal}, v.what, v.missing, v.example FROM (
                SELECT {ordered} FROM (
                    SELECT r.event_id, r.applied, {_VERDICT.format(consumer=order.literal)} AS own,
                           {order.literal} <> {_JUDGE} AND {_VERDICT.format(consumer=_JUDGE)}
                               AS judged
                    FROM ({order.rows()}) r
                ) r
            ) f {as_ordered}
            WHERE v.missing > 0"""
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
                     SELECT a.consumer, v.what, v.missing, v.example
                     FROM applying a CROSS JOIN LATERAL (
                         SELECT {applied} FROM (
                             -- OFFSET 0: the log probed once per row, not once per count
                             -- that reads whether it was found.
                             SELECT r.event_id, r.consumer, r.refused, {_UNLOGGED} AS unlogged
                             FROM processed_events r WHERE r.consumer = a.consumer OFFSET 0
                         ) r
                     ) f {as_applied}
                     WHERE a.consumer IS NOT NULL AND v.missing > 0)""",
                *orders_checked,
            ]
        )
        + " ORDER BY 1, 2"
    )
    return [
        (
            f"ledger of {r['consumer']}",
            f"{r['missing']} {_LEDGER_ROWS[r['what']]} (e.g. {r['example']})",
        )
        for r in rows
    ]


async def unjudged(conn: Connection) -> list[tuple[str, str]]:
    """The judge's ledger against what it must hold: every input event stored at or below
    its offsets (per partition: its events along the (partition, seq) key, each looked up in
    the ledger), and no more rows than its sealed recorded order (two counts along their
    keys), which must name each of them (`unlogged`'s "unclaimed")."""
    rows = await conn.fetch(
        """SELECT o.partition, o.seq, m.missing, m.first
           FROM consumer_offsets o CROSS JOIN LATERAL (
               SELECT count(*) AS missing, min(e.seq) AS first FROM event_store e
               WHERE e.partition = o.partition AND e.seq <= o.seq
                 AND e.event_type <> ALL($2::text[])
                 AND (SELECT p.event_id FROM processed_events p
                      WHERE p.consumer = o.consumer AND p.event_id = e.event_id) IS NULL
           ) m
           WHERE o.consumer = $1 AND m.missing > 0
           ORDER BY o.partition""",
        VERDICT_FROM,
        sorted(EMITTED_TYPES),
    )
    found = [
        (
            f"ledger of {VERDICT_FROM}, partition {r['partition']}",
            f"{r['missing']} input event(s) at or below its offset (seq {r['seq']}) have no row"
            f" in its ledger, the first at seq {r['first']}: ledger rows were removed",
        )
        for r in rows
    ]
    counts = await conn.fetchrow(
        """SELECT (SELECT count(*) FROM processed_events WHERE consumer = $1),
                  (SELECT count(*) FROM claim_order WHERE consumer = $1)""",
        VERDICT_FROM,
    )
    ledger, order = (0, 0) if counts is None else (int(counts[0]), int(counts[1]))
    if ledger > order:
        # Two counts tell that the sets differ, not which side changed: a row added to the
        # ledger, or one removed from the order (its seals, walked apart, name such a row
        # unless the owner set the order's head back over the end it removed).
        found.append(
            (
                f"ledger of {VERDICT_FROM}",
                f"it holds {ledger} rows but its recorded order, which names every event it"
                f" claimed, names {order}: rows were added to its ledger, or removed from its"
                " recorded order",
            )
        )
    return found


async def offsets_past_heads(conn: Connection) -> list[tuple[str, str]]:
    """Every consumer's offset (embedded mode) past its partition's head: the events
    appended there next would be taken for read already."""
    rows = await conn.fetch(
        """SELECT o.consumer, o.partition, o.seq, coalesce(h.seq, 0) AS head
           FROM consumer_offsets o LEFT JOIN event_chain_heads h USING (partition)
           WHERE o.seq > coalesce(h.seq, 0)
           ORDER BY 1, 2"""
    )
    return [
        (
            f"offset of {r['consumer']}, partition {r['partition']}",
            f"seq {r['seq']} is past the chain's head (seq {r['head']}): the events appended"
            " there next would be taken for read and never applied (the offset was moved, or"
            " events were removed from the end)",
        )
        for r in rows
    ]
