"""A vendor's state kept at points of its history (migration 0015), which reading a page of the
history folds from instead of from the vendor's first event.

A history row keeps what its score is derived from (its event, day, model and totals), not
the state before it: reading a page folded the vendor's events from its first up to the
page, so a page deep in a long history cost what the history weighs. The batch handler now
keeps the state after every `EVERY`-th entry of a vendor's history (a mark): the entry's
number, its event's seq, the state's head, and the items changed since the mark before (a
row per changed item, as `risk_vendor_items` keeps the current state), so a mark costs what
changed since the last, not the whole record. Which entries are marked depends on the
vendor's history alone, not on where batches end: live batches and a rebuild's replay write
the same marks (a replay numbers the seqs again, not the entries). Reading a page starts
from the latest mark at or before each of its rows (history.py).

A mark is the fold of the vendor's events up to its seq in log order, what reading folds. A
batch that folds an event of the vendor below the vendor's last entry (two workers' batches
about one vendor committed out of their seqs' order: a subcontractor's incident reported in
another partition) writes no mark for that vendor and forgets those past the event, whose
states lack it; the next batches mark again from the last kept.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import asyncpg

from services.platform.postgres.database import Connection
from services.risk.domain.facts import VendorState
from services.risk.storage.state_storage import item_columns, state_of

# A mark every EVERY-th entry of a vendor's history: a page folds fewer events than this
# before its first row (about a millisecond of parsing and folding at 32), and a mark
# writes the items changed since the last.
EVERY = 32


@dataclass
class _Vendor:
    """Where a vendor's history stands in a batch."""

    entries: int  # entries so far (the batch's folded ones too)
    touched: set[str]  # items changed since its last mark
    last_seq: int  # the seq of its last entry before the batch
    behind: int | None = None  # the lowest seq folded below `last_seq`, if any


@dataclass(frozen=True)
class Mark:
    vendor_id: str
    entry: int
    seq: int
    state: VendorState
    items: frozenset[str]  # those changed since the mark before


@dataclass
class Marking:
    """A batch's marks, as its events are folded (`folded`, in log order per vendor)."""

    vendors: dict[str, _Vendor]
    marks: list[Mark] = field(default_factory=list)

    def folded(self, vendor_id: str, seq: int, item: str, state: VendorState) -> None:
        """The vendor's state after its entry of `seq`, about `item`."""
        vendor = self.vendors[vendor_id]
        vendor.entries += 1
        vendor.touched.add(item)
        if seq < vendor.last_seq:
            vendor.behind = min(seq, vendor.behind or seq)
        if vendor.entries % EVERY == 0 and vendor.behind is None:
            self.marks.append(
                Mark(vendor_id, vendor.entries, seq, state, frozenset(vendor.touched))
            )
            vendor.touched = set()


async def marking(conn: Connection, vendor_ids: Collection[str]) -> Marking:
    """Where these vendors' histories stand before a batch (one statement, after the batch
    locked them and before it writes its history rows): each vendor's entries, by its last
    mark's and those since, which it reads with their items (at most `EVERY` of them, but
    for a history from before its first mark)."""
    rows = await conn.fetch(
        """SELECT v.vendor_id, coalesce(m.entry, 0) + s.entries AS entries, s.items,
                  coalesce(s.last_seq, m.seq, 0) AS last_seq
           FROM unnest($1::text[]) AS v(vendor_id)
           LEFT JOIN LATERAL (
               SELECT k.entry, k.seq FROM risk_history_marks k
               WHERE k.vendor_id = v.vendor_id ORDER BY k.entry DESC LIMIT 1
           ) m ON TRUE
           CROSS JOIN LATERAL (
               SELECT count(*) AS entries, max(h.seq) AS last_seq,
                      coalesce(array_agg(DISTINCT s.item), '{}') AS items
               FROM risk_history h
               JOIN risk_event_subjects s ON s.vendor_id = h.vendor_id AND s.seq = h.seq
               WHERE h.vendor_id = v.vendor_id AND h.seq > coalesce(m.seq, 0)
           ) s""",
        list(vendor_ids),
    )
    return Marking(
        {r["vendor_id"]: _Vendor(r["entries"], set(r["items"]), r["last_seq"]) for r in rows}
    )


async def write(conn: Connection, marking: Marking) -> None:
    """The batch's marks (two statements), and for a vendor it folded out of its seqs' order,
    the marks past that point forgotten."""
    if behind := {v: s.behind for v, s in marking.vendors.items() if s.behind is not None}:
        await _forget_after(conn, behind)
    if not marking.marks:
        return
    await conn.execute(
        """INSERT INTO risk_history_marks (vendor_id, entry, seq, horizon, digests)
           SELECT * FROM unnest($1::text[], $2::integer[], $3::bigint[], $4::date[],
                                $5::jsonb[])""",
        [m.vendor_id for m in marking.marks],
        [m.entry for m in marking.marks],
        [m.seq for m in marking.marks],
        [m.state.horizon for m in marking.marks],
        [json.dumps(m.state.digests) for m in marking.marks],
    )
    items = [
        (m.vendor_id, key, m.entry, *item_columns(m.state, key))
        for m in marking.marks
        for key in sorted(m.items)
    ]
    await conn.execute(
        """INSERT INTO risk_history_items (vendor_id, item, entry, fact, horizon, terminated)
           SELECT * FROM unnest($1::text[], $2::text[], $3::integer[], $4::jsonb[], $5::date[],
                                $6::boolean[])
           ON CONFLICT (vendor_id, item, entry) DO UPDATE SET fact = EXCLUDED.fact,
               horizon = EXCLUDED.horizon, terminated = EXCLUDED.terminated""",
        *[[row[i] for row in items] for i in range(6)],
    )


async def _forget_after(conn: Connection, behind: dict[str, int]) -> None:
    """Each vendor's marks past its seq, and their items (those of entries past the last mark
    kept: a later mark at the same entry must not read them)."""
    await conn.execute(
        """WITH forgotten AS (
               DELETE FROM risk_history_marks k
               USING unnest($1::text[], $2::bigint[]) AS b(vendor_id, seq)
               WHERE k.vendor_id = b.vendor_id AND k.seq > b.seq
               RETURNING k.vendor_id, k.entry
           )
           DELETE FROM risk_history_items i USING (
               SELECT vendor_id, min(entry) AS entry FROM forgotten GROUP BY vendor_id
           ) f WHERE i.vendor_id = f.vendor_id AND i.entry >= f.entry""",
        list(behind),
        list(behind.values()),
    )


@dataclass(frozen=True)
class Kept:
    """A mark as reading finds it: its entry and its event's seq."""

    entry: int
    seq: int


async def latest_at(conn: Connection, vendor_id: str, seqs: Sequence[int]) -> dict[int, Kept]:
    """Per seq of the vendor's history, its latest mark at or before it (none: no entry in the
    dict), in one statement."""
    rows = await conn.fetch(
        """SELECT q.seq AS asked, m.entry, m.seq
           FROM unnest($2::bigint[]) AS q(seq)
           CROSS JOIN LATERAL (
               SELECT k.entry, k.seq FROM risk_history_marks k
               WHERE k.vendor_id = $1 AND k.seq <= q.seq ORDER BY k.seq DESC LIMIT 1
           ) m""",
        vendor_id,
        list(seqs),
    )
    return {r["asked"]: Kept(r["entry"], r["seq"]) for r in rows}


async def kept_rows(
    conn: Connection, vendor_id: str, entries: Collection[int]
) -> list[asyncpg.Record]:
    """The rows of the vendor's states at these marks (by entry), for `states_of`, in one
    statement: each item of the vendor's as its row of the latest entry at or before the
    mark's (an item not on the record yet has none), so the read grows with the vendor's
    items, not its history."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT k.entry, k.horizon AS head_horizon, k.digests::text AS digests,
                  i.item, v.fact::text AS fact, v.horizon, v.terminated
           FROM risk_history_marks k
           LEFT JOIN risk_vendor_items i ON i.vendor_id = k.vendor_id
           LEFT JOIN LATERAL (
               SELECT h.fact, h.horizon, h.terminated FROM risk_history_items h
               WHERE h.vendor_id = k.vendor_id AND h.item = i.item AND h.entry <= k.entry
               ORDER BY h.entry DESC LIMIT 1
           ) v ON TRUE
           WHERE k.vendor_id = $1 AND k.entry = ANY($2::integer[])
           ORDER BY k.entry, i.item""",
        vendor_id,
        list(entries),
    )
    return rows


def states_of(vendor_id: str, rows: Sequence[asyncpg.Record]) -> dict[int, VendorState]:
    """The vendor's state at each mark `kept_rows` read (by entry): CPU work, the items'
    facts parsed, for a worker thread."""
    heads: dict[int, tuple[dt.date, dict[str, str]]] = {}
    items: dict[int, list[asyncpg.Record]] = {}
    for r in rows:
        heads[r["entry"]] = (r["head_horizon"], json.loads(r["digests"]))
        if r["item"] is not None and r["terminated"] is not None:
            items.setdefault(r["entry"], []).append(r)
    return {
        entry: state_of(vendor_id, horizon, digests, items.get(entry, ()))
        for entry, (horizon, digests) in heads.items()
    }
