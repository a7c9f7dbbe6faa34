"""Review decisions (`vendor.match_reviewed`) stored by the registry and read by screenings
(migrations/0006_match_reviews.sql)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from services.events.match_review import MatchDecision, VendorMatchReviewed
from services.platform.eventstore.event_store import VERDICT_FROM
from services.platform.postgres.database import Connection
from services.registry.bidder_screening.model import Review, Voiding
from services.registry.bidder_screening.reviews import (
    NAMING_FIELDS,
    VOIDING_TYPES,
    ReviewKey,
    key,
)
from services.registry.domain.names import IdentifierKey


async def insert_review(
    conn: Connection,
    event_id: uuid.UUID,
    vendor_id: str,
    payload: VendorMatchReviewed,
    identifier: IdentifierKey | None,
    recorded_by: tuple[str, str],
    *,
    gave_identity: bool,
) -> None:
    """The decision, stored once (`identifier`: the bidder's, normalised; `gave_identity`:
    a confirmation gave the vendor a new alias or identifier)."""
    found = key(payload.bidder_name, payload.bidder_address)
    await conn.execute(
        """INSERT INTO registry_match_reviews
               (event_id, vendor_id, decision, name_key, address_key, bidder_name,
                bidder_address, bidder_country, identifier_scheme, identifier_value,
                gave_identity, reason, recorded_by, recorded_role)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
           ON CONFLICT (event_id) DO NOTHING""",
        event_id,
        vendor_id,
        payload.decision.value,
        found.name,
        found.address,
        payload.bidder_name,
        payload.bidder_address,
        payload.bidder_country,
        identifier.scheme if identifier else None,
        identifier.value if identifier else None,
        gave_identity,
        payload.reason,
        *recorded_by,
    )


# The latest decision per bidder and vendor (a vendor's events are one partition of the log,
# in `seq` order), and for a NOT_SAME one the vendor's first later event the registry
# accepted that voids it. `known_at` ($3) leaves out what was recorded later, decisions and
# voiding events alike.
_REVIEWS = """
SELECT DISTINCT ON (r.name_key, r.address_key, r.vendor_id)
       r.name_key, r.address_key, r.vendor_id, r.event_id, r.decision, r.reason,
       r.recorded_by, r.recorded_at, v.event_type AS voided_type, v.event_id AS voided_id,
       v.recorded_at AS voided_at, v.sanction_id AS voided_sanction,
       decided.position
FROM registry_match_reviews r
JOIN unnest($1::text[], $2::text[]) AS asked (name_key, address_key)
  ON asked.name_key = r.name_key AND asked.address_key = r.address_key
JOIN event_store decided ON decided.event_id = r.event_id
LEFT JOIN LATERAL (
    SELECT e.event_type, e.event_id, e.recorded_at,
           e.envelope -> 'payload' ->> 'sanction_id' AS sanction_id
    FROM event_store e
    JOIN processed_events p ON p.consumer = $4 AND p.event_id = e.event_id AND NOT p.refused
    WHERE e.vendor_id = r.vendor_id AND e.seq > decided.seq
      AND e.event_type = ANY($5::text[])
      AND CASE e.event_type
          WHEN 'vendor.updated' THEN jsonb_strip_nulls(e.envelope -> 'payload') ?| $6::text[]
          WHEN 'vendor.match_reviewed' THEN EXISTS (
              SELECT FROM registry_match_reviews named
              WHERE named.event_id = e.event_id AND named.gave_identity)
          ELSE true END
      AND ($3::timestamptz IS NULL OR e.recorded_at <= $3)
    ORDER BY e.seq
    LIMIT 1
) v ON r.decision = 'not_same'
WHERE $3::timestamptz IS NULL OR r.recorded_at <= $3
ORDER BY r.name_key, r.address_key, r.vendor_id, decided.seq DESC
"""


async def reviews_of(
    conn: Connection, keys: Sequence[ReviewKey], known_at: dt.datetime | None
) -> dict[ReviewKey, list[Review]]:
    """The decisions on these bidders, newest first per bidder: one statement."""
    rows = await conn.fetch(
        _REVIEWS,
        [k.name for k in keys],
        [k.address for k in keys],
        known_at,
        VERDICT_FROM,
        list(VOIDING_TYPES),
        list(NAMING_FIELDS),
    )
    found: dict[ReviewKey, list[Review]] = {}
    for row in sorted(rows, key=lambda r: (r["recorded_at"], r["position"]), reverse=True):
        voided = (
            Voiding(row["voided_type"], row["voided_id"], row["voided_at"], row["voided_sanction"])
            if row["voided_id"] is not None
            else None
        )
        review = Review(
            row["event_id"],
            row["vendor_id"],
            MatchDecision(row["decision"]),
            row["reason"],
            row["recorded_by"],
            row["recorded_at"],
            voided,
        )
        found.setdefault(ReviewKey(row["name_key"], row["address_key"]), []).append(review)
    return found
