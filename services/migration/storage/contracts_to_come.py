"""Whether the log holds contract events the migration service has yet to apply that may give
a vendor running work at an agency: what a receipt must wait for before it may say that
nothing of the vendor's runs there (`plan_receipts.plan_request_refusals`)."""

from __future__ import annotations

from services.events.contract import (
    ContractAmended,
    ContractAwarded,
    SubcontractApproved,
    SubcontractRequested,
)
from services.platform.eventstore.event_store import VERDICT_FROM
from services.platform.postgres.database import Connection

# What may make a contract run with the vendor: its award, an amendment extending an ended
# term, and for a subcontractor the request and approval (on the prime contractor's log).
_BRINGING_WORK = [
    ContractAwarded.event_type,
    ContractAmended.event_type,
    SubcontractRequested.event_type,
    SubcontractApproved.event_type,
]


async def work_on_its_way(conn: Connection, consumer: str, vendor_id: str, agency: str) -> bool:
    """Whether the log holds an event of `_BRINGING_WORK` that `consumer` (migration) has not
    applied and the registry has not refused, about `agency`: an award there, or a change of a
    contract there migration knows; the vendor's own, or its prime contractors' on the
    contracts there migration knows it subcontracts and that may run again (not terminated:
    the registry refuses any change of a terminated contract, `terminated_already`). One
    statement.

    Read after what migration has read of each vendor's log: migration applies a vendor's
    events in its partition's order, so every earlier one is applied, refused, or refused by
    the registry and never to come. How far is its offset in the vendor's partition, where
    the store keeps it (embedded mode: it passes the registry's refusals too), else the last
    event of `_BRINGING_WORK` it applied, found from the newest back by the log's index of
    each vendor's events by type (platform migration 0010). Its cost is what migration has
    yet to read of the vendor (in distributed mode, whose offsets are the consumer group's,
    also what the registry refused since the last one migration applied), not the vendor's
    history; the contract an event names is found by migration's key.

    Called once nothing of the vendor runs at the agency (`plan_request_refusals`), so a
    subcontract it holds there is on a contract that ended or is not approved yet: an
    extension or an approval may make it run.

    Not seen: a subcontract whose request migration has not applied either, from a prime
    contractor it knows no other subcontract of there that may run again (the request names
    its subcontractor only in its payload, which no index reads)."""
    # Each look-up in the ledger and in migration's contracts is a lateral subquery with a
    # limit, as the log's reader makes them (event_reads.read_after): a probe by the key per
    # event read, never a join or a hashed set that could read a consumer's whole ledger or
    # all the vendor's contracts at the agency. Each read of the log is ordered by its index
    # with a limit, so that it stays a range of the vendor's events whatever the statistics
    # say: a vendor holding most of a small store had it scanned whole, once per type. The
    # vendor's partition is that of its first event (one row of the log); the last applied
    # event is looked for only without an offset (coalesce evaluates its second argument
    # only then).
    found: bool = await conn.fetchval(
        """WITH vendors AS (
               SELECT $1::text AS vendor_id
               UNION
               SELECT c.vendor_id FROM migration_subcontracts s
               JOIN migration_contracts c USING (contract_id)
               WHERE s.subcontractor_vendor_id = $1 AND c.agency = $2
                 AND c.terminated_on IS NULL
           ), applied AS (
               SELECT v.vendor_id, coalesce(
                   (SELECT o.seq FROM consumer_offsets o
                    WHERE o.consumer = $4 AND o.partition = (
                        SELECT e.partition FROM event_store e
                        WHERE e.vendor_id = v.vendor_id ORDER BY e.position LIMIT 1
                    )),
                   (SELECT coalesce(max(last.seq), 0)
                    FROM unnest($3::text[]) AS t(event_type)
                    CROSS JOIN LATERAL (
                        SELECT e.seq FROM event_store e
                        CROSS JOIN LATERAL (
                            SELECT FROM processed_events p
                            WHERE p.consumer = $4 AND p.event_id = e.event_id LIMIT 1
                        ) AS done
                        WHERE e.vendor_id = v.vendor_id AND e.event_type = t.event_type
                        ORDER BY e.seq DESC LIMIT 1
                    ) AS last)
               ) AS seq
               FROM vendors v
           )
           SELECT EXISTS (
               SELECT FROM applied a CROSS JOIN unnest($3::text[]) AS t(event_type)
               CROSS JOIN LATERAL (
                   SELECT FROM event_store e
                   LEFT JOIN LATERAL (
                       SELECT true AS judged FROM processed_events p
                       WHERE (p.consumer = $4 OR p.consumer = $5 AND p.refused)
                         AND p.event_id = e.event_id
                       LIMIT 1
                   ) AS verdict ON true
                   LEFT JOIN LATERAL (
                       SELECT c.agency, c.vendor_id FROM migration_contracts c
                       WHERE c.contract_id = e.envelope->'payload'->>'contract_id' LIMIT 1
                   ) AS known ON true
                   WHERE e.vendor_id = a.vendor_id AND e.event_type = t.event_type
                     AND e.seq > a.seq AND verdict.judged IS NULL
                     AND (e.envelope->'payload'->>'agency' = $2
                          OR known.agency = $2
                             AND known.vendor_id IN (SELECT vendor_id FROM vendors))
                   ORDER BY e.seq LIMIT 1
               ) AS waiting)""",
        vendor_id,
        agency,
        _BRINGING_WORK,
        consumer,
        VERDICT_FROM,
    )
    return found
