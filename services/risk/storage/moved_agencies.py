"""The agencies whose running critical contracts today moved (migrations/0010), and the
vendors whose concentration that moves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import asyncpg

from services.platform.postgres.database import Connection


async def mark(conn: Connection, agencies: Sequence[str]) -> None:
    """Marks these agencies as moved (again): their vendors are due for a re-score."""
    await conn.execute(
        """INSERT INTO risk_moved_agencies (agency, moved)
           SELECT a, nextval('risk_moves') FROM unnest($1::text[]) AS a ORDER BY a
           ON CONFLICT (agency) DO UPDATE SET moved = EXCLUDED.moved""",
        sorted(set(agencies)),
    )


async def marked(pool: asyncpg.Pool) -> list[tuple[str, int]]:
    """The agencies marked, each with its mark, in agency order."""
    rows = await pool.fetch("SELECT agency, moved FROM risk_moved_agencies ORDER BY agency")
    return [(r["agency"], r["moved"]) for r in rows]


async def forget(pool: asyncpg.Pool, agency: str, moved: int) -> None:
    """Forgets an agency's mark, unless it was marked again since `moved` was read."""
    await pool.execute(
        "DELETE FROM risk_moved_agencies WHERE agency = $1 AND moved = $2", agency, moved
    )


async def critical_holders(
    conn: Connection, agency: str, day: dt.date, after: str, limit: int
) -> list[str]:
    """The vendors after `after` (in id order) that hold a critical contract of `agency`
    running on `day`: those whose concentration its number of them moves."""
    rows = await conn.fetch(
        """SELECT DISTINCT vendor_id FROM risk_contracts
           WHERE agency = $1 AND critical AND starts_on <= $2 AND ends_on >= $2
             AND vendor_id > $3
           ORDER BY vendor_id LIMIT $4""",
        agency,
        day,
        after,
        limit,
    )
    return [r["vendor_id"] for r in rows]


async def holders_of_marked(conn: Connection, day: dt.date) -> list[str]:
    """The vendors holding a critical contract running on `day` at any agency marked, in id
    order (a rebuild's, once its replay is done: one transaction re-scores them all)."""
    rows = await conn.fetch(
        """SELECT DISTINCT c.vendor_id FROM risk_contracts c
           JOIN risk_moved_agencies USING (agency)
           WHERE c.critical AND c.starts_on <= $1 AND c.ends_on >= $1
           ORDER BY c.vendor_id""",
        day,
    )
    return [r["vendor_id"] for r in rows]


async def forget_all(conn: Connection) -> None:
    await conn.execute("DELETE FROM risk_moved_agencies")
