"""What judging an affiliation change reads (`affiliation_rules`) besides whether its related
vendor is known (`named_records.vendor_known`): the pair's changes as the log recorded them up
to it. A keyed statement, on the two vendors' events only (`event_store_vendor_type`), however
many vendors there are."""

from __future__ import annotations

import datetime as dt

from services.events.base import EventEnvelope
from services.events.vendor import AffiliationChange, AffiliationRelation, VendorAffiliationChanged
from services.platform.eventstore.event_store import VERDICT_FROM
from services.platform.postgres.database import Connection
from services.registry.domain.affiliation_rules import Link, link_of


async def pair_links(
    conn: Connection, event: EventEnvelope, recorded_at: dt.datetime
) -> list[Link]:
    """The changes of the event's pair the log recorded no later than `recorded_at`, in the
    order recorded, less the event itself and those the registry refused; a change still
    unjudged counts, as a registration does (its vendor's partition may come later). The
    registry's own rows count too (the same changes, once), for changes applied without
    the log (a handler driven directly)."""
    payload = event.payload
    assert isinstance(payload, VendorAffiliationChanged)
    rows = await conn.fetch(
        """SELECT DISTINCT ON (event_id) * FROM (
               SELECT e.event_id, e.recorded_at, e.position, e.vendor_id,
                      e.envelope -> 'payload' ->> 'related_vendor_id' AS related,
                      e.envelope -> 'payload' ->> 'relation' AS relation,
                      e.envelope -> 'payload' ->> 'change' AS change,
                      (e.envelope -> 'payload' ->> 'effective_on')::date AS effective_on
               FROM event_store e
               WHERE e.vendor_id = ANY($1::text[]) AND e.event_type = $2
                 AND e.envelope -> 'payload' ->> 'related_vendor_id' = ANY($1::text[])
                 AND e.recorded_at <= $3
                 AND NOT EXISTS (SELECT 1 FROM processed_events p
                                 WHERE p.consumer = $4 AND p.event_id = e.event_id AND p.refused)
               UNION ALL
               SELECT a.event_id, a.recorded_at, NULL, a.vendor_id, a.related_vendor_id,
                      a.relation, a.change, a.effective_on
               FROM registry_affiliation_changes a
               WHERE a.vendor_id = ANY($1::text[]) AND a.related_vendor_id = ANY($1::text[])
                 AND a.recorded_at <= $3
           ) changes
           WHERE related <> vendor_id AND event_id <> $5
           ORDER BY event_id, position""",
        [event.vendor_id, payload.related_vendor_id],
        VendorAffiliationChanged.event_type,
        recorded_at,
        VERDICT_FROM,
        event.event_id,
    )
    rows = sorted(rows, key=lambda r: (r["recorded_at"], r["position"] or 0))
    return [
        link_of(
            r["vendor_id"],
            r["related"],
            AffiliationRelation(r["relation"]),
            AffiliationChange(r["change"]),
            r["effective_on"],
        )
        for r in rows
    ]
