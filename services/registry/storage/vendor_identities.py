"""Who holds a vendor id and identifiers, for the receipt of a registration or of an update
giving identifiers (reads/identity_claims.py): the registry's vendors and their identifiers,
and, where the log stores an event before the receipt answers, the registrations and the
updates giving identifiers that the log holds and the registry has not judged yet (sent a
moment before without waitForProcessing). One statement, so that an event the registry
applies in between is read once, on one side or the other: two statements read the tables
before its commit and the log's backlog after it, and missed it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from services.events.vendor import VendorRegistered, VendorUpdated
from services.platform.eventstore.chain import PARTITIONS
from services.platform.eventstore.event_store import VERDICT_FROM
from services.platform.postgres.database import Connection
from services.registry.domain.names import IdentifierKey, normalize_identifier

# The registry's events still to be judged that claim a vendor id or identifiers: past its
# offset in each partition (an event it judged, applied or refused, is at or before it), one
# range of the log's index of them each (platform migration 0022, whose predicate is
# written here as it is there, for the planner to use it; `OFFSET 0` keeps the range a
# probe per partition, where the planner hashed every such event of the log against the
# offsets). A partition the registry has not read yet is unjudged from its start. Not the
# event being recorded (`$5`): a resend racing its first copy is the log's to answer, not a
# second registration. Each row: a vendor, the identifiers it holds or claims (none: the
# vendor id registered), and whether it is a registration still to be applied.
_STATEMENT = f"""
    SELECT v.vendor_id, NULL::jsonb AS identifiers, false AS registering
      FROM registry_vendors v WHERE $1 AND v.vendor_id = $2
    UNION ALL
    SELECT i.vendor_id, jsonb_build_array(jsonb_build_object('scheme', i.scheme, 'value', i.value)),
           false
      FROM registry_vendor_identifiers i
      JOIN unnest($3::text[], $4::text[]) AS wanted(scheme, value)
        ON i.scheme = wanted.scheme AND i.value = wanted.value
     WHERE i.vendor_id <> $2
    UNION ALL
    SELECT e.vendor_id, e.envelope -> 'payload' -> 'identifiers',
           e.event_type = '{VendorRegistered.event_type}'
      FROM (SELECT p.partition, coalesce((SELECT o.seq FROM consumer_offsets o
                                          WHERE o.consumer = '{VERDICT_FROM}'
                                            AND o.partition = p.partition), 0) AS judged
              FROM generate_series(0, {PARTITIONS - 1}) AS p(partition)) AS r
      CROSS JOIN LATERAL (
          SELECT e.vendor_id, e.event_type, e.envelope FROM event_store e
          WHERE e.partition = r.partition AND e.seq > r.judged
            AND (e.event_type = '{VendorRegistered.event_type}'
                 OR e.event_type = '{VendorUpdated.event_type}'
                    AND jsonb_typeof(e.envelope #> '{{payload,identifiers}}') = 'array')
            AND e.event_id <> $5
          OFFSET 0
      ) AS e
      WHERE $6"""


@dataclass(frozen=True)
class Holders:
    """Whether the vendor id is registered, or a registration of it logged is still to be
    applied; and another vendor holding, or claiming in such an event, each identifier asked
    about that one does."""

    registered: bool
    logged: bool
    identifiers: dict[IdentifierKey, str]


async def holders(
    conn: Connection,
    vendor_id: str,
    identifiers: Sequence[IdentifierKey],
    *,
    registering: bool,
    event_id: uuid.UUID,
    unjudged: bool,
) -> Holders:
    """Who holds `vendor_id` (asked only when `registering`) and, but the vendor itself,
    `identifiers`; with `unjudged`, the log's registrations and identifier updates the
    registry has not judged yet count too, but `event_id`'s. Their identifiers are read as
    the registry stores them (`normalize_identifier`): the log holds them as given."""
    rows = await conn.fetch(
        _STATEMENT,
        registering,
        vendor_id,
        [i.scheme for i in identifiers],
        [i.value for i in identifiers],
        event_id,
        unjudged,
    )
    wanted = set(identifiers)
    registered = logged = False
    held: dict[IdentifierKey, str] = {}
    for row in rows:
        if row["identifiers"] is None:
            registered = True
            continue
        if row["vendor_id"] == vendor_id:
            logged = logged or (row["registering"] and registering)
            continue
        for ref in json.loads(row["identifiers"]):
            key = normalize_identifier(ref["scheme"], ref["value"])
            if key in wanted:
                held.setdefault(key, row["vendor_id"])
    return Holders(registered, logged, held)
