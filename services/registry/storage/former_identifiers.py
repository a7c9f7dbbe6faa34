"""SQL of the identifiers an update replaced, and of who holds an identifier, now or as known
at an instant: a former identifier keeps resolving to its vendor, as a replaced name keeps
matching as a former name, so a barred vendor does not screen as unknown by the number it had.

An identifier's holder as known at `known_at` is the vendor whose update replaced it first
after that instant (it held it then), else its holder now. With nobody holding it now, its
latest former holder answers, flagged as former: the officer sees the number is no longer the
vendor's. A vendor registered after `known_at` holds nothing as known then: it was not on the
record. When a vendor on record then got an identifier is not kept (as for the identifiers
held now, which answer whatever `known_at` once their vendor was registered).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from services.platform.postgres.database import Connection
from services.registry.domain.names import IdentifierKey


@dataclass(frozen=True)
class Holder:
    vendor_id: str
    former: bool  # the vendor held it before an update replaced it; nobody holds it now


async def record_replaced(
    conn: Connection,
    vendor_id: str,
    held: Sequence[IdentifierKey],
    kept: Sequence[IdentifierKey],
    at: dt.datetime,
    event_id: uuid.UUID,
) -> None:
    """Those of `held` that `kept` leaves out become the vendor's former identifiers,
    replaced at `at` (when the log recorded the update)."""
    replaced = [i for i in held if i not in set(kept)]
    await conn.execute(
        """INSERT INTO registry_former_identifiers (scheme, value, vendor_id, replaced_at,
                                                    event_id)
           SELECT r.scheme, r.value, $3, $4, $5
           FROM unnest($1::text[], $2::text[]) AS r(scheme, value)
           ON CONFLICT DO NOTHING""",
        [i.scheme for i in replaced],
        [i.value for i in replaced],
        vendor_id,
        at,
        event_id,
    )


# Per identifier asked: the holder as known at $3 (an update replaced it after, and it was
# registered by then), else the holder now (if registered by then), else the latest former
# holder (that had replaced it by then); one statement, by the keys' indexes. A vendor
# registered after $3 was not on the record as it stood then, so no number finds it.
_HOLDERS = """
SELECT w.scheme, w.value, h.vendor_id, h.former
FROM unnest($1::text[], $2::text[]) AS w(scheme, value)
CROSS JOIN LATERAL (
    (SELECT f.vendor_id, false AS former, 0 AS rank
     FROM registry_former_identifiers f JOIN registry_vendors v USING (vendor_id)
     WHERE f.scheme = w.scheme AND f.value = w.value AND f.replaced_at > $3::timestamptz
       AND v.recorded_at <= $3::timestamptz
     ORDER BY f.replaced_at, f.vendor_id LIMIT 1)
    UNION ALL
    (SELECT i.vendor_id, false, 1
     FROM registry_vendor_identifiers i JOIN registry_vendors v USING (vendor_id)
     WHERE i.scheme = w.scheme AND i.value = w.value
       AND ($3::timestamptz IS NULL OR v.recorded_at <= $3::timestamptz))
    UNION ALL
    (SELECT f.vendor_id, true, 2 FROM registry_former_identifiers f
     WHERE f.scheme = w.scheme AND f.value = w.value
       AND ($3::timestamptz IS NULL OR f.replaced_at <= $3::timestamptz)
     ORDER BY f.replaced_at DESC, f.vendor_id LIMIT 1)
    ORDER BY rank LIMIT 1
) AS h"""


async def identifier_holders(
    conn: Connection, identifiers: Sequence[IdentifierKey], known_at: dt.datetime | None
) -> dict[IdentifierKey, Holder]:
    """The holder of each of these identifiers that anyone holds or held, as known at
    `known_at` (now, when None)."""
    rows = await conn.fetch(
        _HOLDERS,
        [i.scheme for i in identifiers],
        [i.value for i in identifiers],
        known_at,
    )
    return {
        IdentifierKey(r["scheme"], r["value"]): Holder(r["vendor_id"], r["former"]) for r in rows
    }


async def vendors_with_former_value(conn: Connection, value: str) -> list[tuple[str, str]]:
    """Vendors that held this (normalised) identifier value in any scheme before an update
    replaced it, by id, each with its legal name (as `vendors_with_identifier_value`)."""
    rows = await conn.fetch(
        """SELECT DISTINCT f.vendor_id, v.legal_name
           FROM registry_former_identifiers f JOIN registry_vendors v USING (vendor_id)
           WHERE f.value = $1""",
        value,
    )
    return sorted((r["vendor_id"], r["legal_name"]) for r in rows)
