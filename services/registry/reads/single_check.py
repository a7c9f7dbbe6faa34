"""One vendor's eligibility in one statement: `bidEligibility`'s path.

A check was three statements (the vendor exists, its affiliation changes, the sanctions of
it and its affiliates with their changes): three round trips, whose socket writes were the
largest single item in a profile of the API process (15% of its samples). Here the database
answers all three at once: when the vendor was registered (after `knownAt`, it was not on the
record asked about), its affiliation changes as an array, and one row per sanction of it and
of every vendor those changes name (none: one row of nulls). Which of those vendors are
affiliates is decided afterwards by the same rules as a screen
(`affiliations.periods_by_pair`, `affiliates_by_vendor`), so a vendor whose affiliation never
had a period reads a few rows more and counts for nothing; the judgement is
`screening.judged`, the screen's own. Many vendors at once stay on `screening.screen`,
whose statements are planned for sets.
"""

from __future__ import annotations

import datetime as dt

from services.events.vendor import AffiliationChange
from services.platform.postgres.database import Connection
from services.registry.domain.affiliations import (
    AffiliationEvent,
    affiliates_by_vendor,
    periods_by_pair,
)
from services.registry.domain.eligibility import Eligibility
from services.registry.domain.names import IdentifierKey
from services.registry.reads.queries import on_record, resolve_vendor, unknown_vendor
from services.registry.reads.screening import judged
from services.registry.storage.sanction_repository import WITH_CHANGES
from services.registry.storage.sanctions_by_day import candidates, kept

# $1 the vendor, $2 the moment known at (NULL: now), $3 the day asked. The affiliation
# changes in recorded order (periods_by_pair keeps that order within a day); the sanctions
# that may apply on the day or later (one over by then bars nothing then nor after, so a
# vendor's past record is not read: `sanctions_by_day.candidates`), in the order of
# `sanction_repository.sanction_rows`, which is the order of an answer's reasons.
# The vendor and every vendor its affiliation changes name.
_EXPOSED = """SELECT $1 UNION SELECT t.vendor_id FROM touching t
                          UNION SELECT t.related_vendor_id FROM touching t"""
ONE_CHECK = f"""
WITH touching AS (
    SELECT a.id, a.vendor_id, a.related_vendor_id, a.change, a.effective_on
    FROM registry_affiliation_changes a
    WHERE (a.vendor_id = $1 OR a.related_vendor_id = $1)
      AND ($2::timestamptz IS NULL OR a.recorded_at <= $2)
), {candidates("$3", "$2", "NULL", _EXPOSED)}
SELECT (SELECT v.recorded_at FROM registry_vendors v WHERE v.vendor_id = $1) AS registered,
       array(SELECT (t.vendor_id, t.related_vendor_id, t.change, t.effective_on)
             FROM touching t ORDER BY t.id) AS affiliations,
       s.*
FROM (SELECT) AS asked LEFT JOIN LATERAL (
    {WITH_CHANGES}
    WHERE s.vendor_id IN ({_EXPOSED}) AND {kept("$3", "$2")}
) AS s ON true
ORDER BY s.vendor_id, s.sanction_id COLLATE "C"
"""


async def eligibility(
    conn: Connection,
    vendor_id: str | None,
    identifier: IdentifierKey | None,
    as_of: dt.date,
    *,
    agency: str | None = None,
    category: str | None = None,
    known_at: dt.datetime | None = None,
    with_bars_from: bool = True,
) -> Eligibility:
    """The eligibility of the vendor named by its id or by an identifier (exactly one of
    them: `queries.resolve_vendor`'s errors otherwise) on `as_of`, as the registry stood at
    `known_at` (now, when None). One statement by id; an identifier is resolved first.
    `with_bars_from`: as `eligibility.evaluate`'s."""
    if vendor_id is None or identifier is not None:
        vendor_id = await resolve_vendor(conn, vendor_id, identifier, known_at)
    rows = await conn.fetch(ONE_CHECK, vendor_id, known_at, as_of)
    if not on_record(registered := rows[0]["registered"], known_at):
        raise unknown_vendor(vendor_id, known_at, registered)
    periods = periods_by_pair(
        AffiliationEvent(one, other, AffiliationChange(change), effective_on)
        for one, other, change, effective_on in rows[0]["affiliations"]
    )
    related = affiliates_by_vendor([vendor_id], periods)
    exposed = {vendor_id, *related[vendor_id]}
    sanctions = [row for row in rows if row["vendor_id"] in exposed]
    return judged(
        [vendor_id],
        related,
        sanctions,
        as_of,
        agency=agency,
        category=category,
        with_bars_from=with_bars_from,
    )[vendor_id]
