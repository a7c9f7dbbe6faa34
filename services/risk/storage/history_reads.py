"""SQL of the risk service's reads of a vendor's scores over time (`risk_history`): its
pages, the events behind its entries, and the events folded into a vendor's state between
points of its history, which reading a page scores again (history.py, history_page.py,
scores_by_key.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

import asyncpg

from services.platform.postgres.database import Connection


def _from(seq: str, before_seq: int | None) -> str:
    """Where a page of rows ordered by `seq` is read from ($2): after it in log order, or,
    when a page is asked before a seq, backward from it, nearest first."""
    if before_seq is None:
        return f"{seq} > $2 ORDER BY {seq}"
    return f"{seq} < $2 ORDER BY {seq} DESC"


async def history(
    conn: Connection,
    vendor_id: str,
    after_seq: int = 0,
    limit: int | None = None,
    *,
    before_seq: int | None = None,
) -> list[asyncpg.Record]:
    """The vendor's history rows in log order (a page of them: the first `limit` after
    `after_seq`, or the last `limit` before `before_seq`): seq, as_of, score, band,
    model_version, factors (JSON), agency_totals (JSON; none in rows from before)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT seq, as_of, score, band, model_version, factors::text AS factors,"
        " agency_totals::text AS agency_totals FROM risk_history WHERE vendor_id = $1 AND "
        + _from("seq", before_seq)
        + " LIMIT $3",
        vendor_id,
        after_seq if before_seq is None else before_seq,
        limit,
    )
    return rows if before_seq is None else rows[::-1]


async def history_rows(
    conn: Connection, vendor_id: str, seqs: Collection[int]
) -> list[asyncpg.Record]:
    """These history rows of the vendor, as `history` reads them, in log order."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT seq, as_of, score, band, model_version, factors::text AS factors,"
        " agency_totals::text AS agency_totals"
        " FROM risk_history WHERE vendor_id = $1 AND seq = ANY($2::bigint[]) ORDER BY seq",
        vendor_id,
        list(seqs),
    )
    return rows


async def history_events(conn: Connection, seqs: Collection[int]) -> dict[int, str]:
    """The id of the event behind each of these history seqs (stable; seqs are not, across
    `vendorwatch rebuild risk`)."""
    rows = await conn.fetch(
        "SELECT seq, event_id FROM risk_events WHERE seq = ANY($1::bigint[])", list(seqs)
    )
    return {r["seq"]: str(r["event_id"]) for r in rows}


async def history_entries(
    conn: Connection,
    vendor_id: str,
    after_seq: int = 0,
    limit: int | None = None,
    *,
    before_seq: int | None = None,
) -> list[tuple[int, str]]:
    """(seq, event id) of the vendor's history rows after `after_seq`, in log order (the
    first `limit` of them), or before `before_seq` from it backward, nearest first: read by
    the key (vendor_id, seq)."""
    rows = await conn.fetch(
        "SELECT h.seq, e.event_id::text AS event_id FROM risk_history h"
        " JOIN risk_events e USING (seq) WHERE h.vendor_id = $1 AND "
        + _from("h.seq", before_seq)
        + " LIMIT $3",
        vendor_id,
        after_seq if before_seq is None else before_seq,
        limit,
    )
    return [(r["seq"], r["event_id"]) for r in rows]


async def history_seqs(
    conn: Connection, entries: Collection[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """The seq of each (vendor, event id) history entry that exists."""
    rows = await conn.fetch(
        """SELECT h.vendor_id, e.event_id, h.seq
           FROM unnest($1::text[], $2::uuid[]) AS k(vendor_id, event_id)
           JOIN risk_events e USING (event_id)
           JOIN risk_history h ON h.vendor_id = k.vendor_id AND h.seq = e.seq""",
        [vendor for vendor, _ in entries],
        [event for _, event in entries],
    )
    return {(r["vendor_id"], str(r["event_id"])): r["seq"] for r in rows}


async def subject_events(
    conn: Connection, vendor_id: str, spans: Sequence[tuple[int, int]]
) -> list[tuple[int, str, dt.datetime]]:
    """(seq, envelope, recorded at) of the events folded into the vendor's state within these
    spans of the log (each after its first seq, up to its last; apart from each other), in
    log order."""
    rows = await conn.fetch(
        """SELECT s.seq, st.envelope::text AS envelope, st.recorded_at
           FROM unnest($2::bigint[], $3::bigint[]) AS p(after, up_to)
           JOIN risk_event_subjects s
             ON s.vendor_id = $1 AND s.seq > p.after AND s.seq <= p.up_to
           JOIN risk_events e ON e.seq = s.seq
           JOIN event_store st ON st.event_id = e.event_id ORDER BY s.seq""",
        vendor_id,
        [after for after, _ in spans],
        [up_to for _, up_to in spans],
    )
    return [(r["seq"], r["envelope"], r["recorded_at"]) for r in rows]


async def history_length(conn: Connection, vendor_id: str) -> int:
    count: int = await conn.fetchval(
        "SELECT count(*) FROM risk_history WHERE vendor_id = $1", vendor_id
    )
    return count
