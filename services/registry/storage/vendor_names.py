"""SQL of a vendor's name history: the former names kept matching, and its latest rename,
which judging a rename reads (`domain/rename_rules.py`; the API's receipt reads it too)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from services.platform.postgres.database import Connection
from services.registry.domain.rename_rules import NamesOnRecord, Replaced


async def names_on_record(conn: Connection, vendor_id: str) -> NamesOnRecord | None:
    """The vendor's current names and latest rename, one keyed row; None: not registered."""
    row = await conn.fetchrow(
        "SELECT legal_name, name_kana, name_en, renamed_on, renamed_to"
        " FROM registry_vendors WHERE vendor_id = $1",
        vendor_id,
    )
    return None if row is None else NamesOnRecord(**dict(row))


async def record_rename(conn: Connection, vendor_id: str, on: dt.date, to: str) -> None:
    """A rename applied: its day and name become the latest rename's unless one effective
    later was applied before it (recorded before the rule that refuses that, it was taken),
    so the day kept is the latest any rename took effect; of two on one day, the later one."""
    await conn.execute(
        "UPDATE registry_vendors SET renamed_on = $2, renamed_to = $3"
        " WHERE vendor_id = $1 AND (renamed_on IS NULL OR renamed_on <= $2)",
        vendor_id,
        on,
        to,
    )


async def add_former_names(
    conn: Connection, vendor_id: str, names: Sequence[Replaced], used_until: dt.date | None
) -> None:
    """Keeps these names matching as former names, last used on `used_until` (None: not
    known), each with the kind it was; one the vendor holds already as a former name with
    that day is not listed twice (the first of one name given twice is kept)."""
    kept: dict[str, Replaced] = {}
    for name in names:
        kept.setdefault(name.name, name)
    await conn.execute(
        """INSERT INTO registry_vendor_names (vendor_id, kind, name, used_until, former_of)
           SELECT $1, 'former', n.name, $4, n.was
           FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS n(name, was, i)
           WHERE NOT EXISTS (
               SELECT FROM registry_vendor_names f
               WHERE f.vendor_id = $1 AND f.kind = 'former' AND f.name = n.name
                 AND f.used_until IS NOT DISTINCT FROM $4)
           ORDER BY n.i""",
        vendor_id,
        list(kept),
        [n.was for n in kept.values()],
        used_until,
    )


async def former_names_counted(
    conn: Connection, vendor_id: str, names: Sequence[str], used_until: dt.date | None
) -> tuple[int, int]:
    """How many former names the vendor lists, and how many of `names` `add_former_names`
    would list more (those it lists already with that day are not listed twice)."""
    row = await conn.fetchrow(
        """SELECT (SELECT count(*) FROM registry_vendor_names
                   WHERE vendor_id = $1 AND kind = 'former') AS held,
                  (SELECT count(*) FROM unnest($2::text[]) AS n(name)
                   WHERE NOT EXISTS (
                       SELECT FROM registry_vendor_names f
                       WHERE f.vendor_id = $1 AND f.kind = 'former' AND f.name = n.name
                         AND f.used_until IS NOT DISTINCT FROM $3)) AS added""",
        vendor_id,
        list(dict.fromkeys(names)),
        used_until,
    )
    assert row is not None  # one row of two counts, always
    return row["held"], row["added"]
