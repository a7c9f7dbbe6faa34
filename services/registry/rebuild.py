"""Rebuilding the registry's projection from the event store, while the system runs.

Everything is recomputed from the events, by the live handlers, with announcements off:
vendors, identities, records, sanctions and their changes, import reports and review
decisions. It comes out as live processing made it because nothing in it depends
on when it is applied: facts and feed entries are dated when the log recorded their event
(migrations/0003_recorded_from_the_log.sql, platform/eventstore/recorded_time.py),
eligibility is judged for that day, and the verdicts (refusals) follow from the same rules,
applied in the order live processing judged the events in (`APPLIED_ORDER`).

Kept as they were, each a record of what subscribers were told rather than a function of the
log: the change feed (`_FEED_AS_SAID`) and the eligibility last announced per vendor
(`registry_eligibility_state`). The calendar announces on days without an event (a
suspension starting, a lift taking effect), which no replay of the events sees. Replayed
from the events, the states would go back to each vendor's last event, and the calendar
would announce those changes again (a second `vendor.eligibility_changed`, a second alert to
every agency watching). The replay needs the states to date its feed, so they are replayed,
then put back as they were (`finish`); vendors the replay no longer registers lose theirs.
Left as it is, too: the outbox (announcements still to be relayed were said before the
rebuild) and the dead letters (a refusal judged again is recorded once). Run under
platform/consuming/rebuilding.py's exclusive pool, holding the calendar's lock: the calendar
must not announce from a registry half replayed. The replay itself is
platform/consuming/replay.py's."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from services.platform.clock import Clock
from services.platform.consuming.applied_order import AppliedOrder
from services.platform.consuming.consumer import Consumer
from services.platform.consuming.rebuilding import empty, forget_progress
from services.platform.postgres.database import Connection
from services.registry.announcements import RECONCILE_LOCK_KEY
from services.registry.domain.policy import SuspensionPolicy
from services.registry.handlers import CONSUMER_NAME, registry_consumer

# The order live processing judged the log in (recorded with the claims): which of two
# registrations of one identifier is refused depends on it, and partitions interleave freely
# (platform/consuming/applied_order.py).
APPLIED_ORDER = AppliedOrder(
    CONSUMER_NAME, f"SELECT event_id, seq FROM claim_order WHERE consumer = '{CONSUMER_NAME}'"
)

# Held beside the consumer's own lock while the registry is rebuilt.
LOCKS = (RECONCILE_LOCK_KEY,)

# Each before the tables it references.
_TABLES = (
    "registry_certificates",
    "registry_claims",
    "registry_incidents",
    "registry_subcontracts",
    "registry_contracts",
    "registry_sanction_changes",
    "registry_sanctions",
    "registry_affiliation_changes",
    "registry_eligibility_state",
    "registry_vendor_names",
    "registry_vendor_identifiers",
    "registry_former_identifiers",
    "registry_match_reviews",
    "registry_import_candidates",
    "registry_import_reports",
    "registry_vendors",
)


# The announced states as the rebuild found them, for `finish`, its vendors' identities, for
# `_FEED_AS_SAID`, and its verdicts, for `changed_verdicts` (dropped with its transaction).
_ANNOUNCED = "registry_announced_before_rebuild"
_IDENTITIES = "registry_identities_before_rebuild"
_VERDICTS = "registry_verdicts_before_rebuild"

# Per vendor, a digest of what the feed's identity changes are about: its record (but when
# and by which event it was written), its names and its identifiers, held and former.
_IDENTITY = """
WITH names AS (
    SELECT vendor_id, string_agg(
        concat_ws(chr(31), kind, name, used_until::text, former_of),
        chr(30) ORDER BY kind, name, used_until, former_of
    ) AS names
    FROM registry_vendor_names GROUP BY vendor_id
), identifiers AS (
    SELECT vendor_id, string_agg(scheme || chr(31) || value, chr(30) ORDER BY scheme, value)
        AS identifiers
    FROM registry_vendor_identifiers GROUP BY vendor_id
), former AS (
    SELECT vendor_id, string_agg(
        concat_ws(chr(31), scheme, value, replaced_at::text), chr(30)
        ORDER BY scheme, value, replaced_at
    ) AS former
    FROM registry_former_identifiers GROUP BY vendor_id
)
SELECT v.vendor_id, md5(concat_ws(
    chr(29), (to_jsonb(v) - 'event_id' - 'recorded_at' - 'updated_at')::text, n.names,
    i.identifiers, f.former
)) AS identity
FROM registry_vendors v
LEFT JOIN names n USING (vendor_id) LEFT JOIN identifiers i USING (vendor_id)
LEFT JOIN former f USING (vendor_id)"""


@dataclass(frozen=True)
class ChangedVerdicts:
    """Events the replay judged otherwise than live processing had: accepted then refused, or
    refused then accepted (how many, and the first few); and, apart, those live processing
    judged that are no longer in the log (removed from it: the replay could not judge them)."""

    count: int
    examples: tuple[uuid.UUID, ...]
    unlogged: int = 0
    unlogged_examples: tuple[uuid.UUID, ...] = ()


async def reset(conn: Connection) -> None:
    """An emptied registry that has applied nothing yet (call inside the rebuild's
    transaction: readers see the registry as it was until it commits)."""
    await conn.execute(
        f"CREATE TEMPORARY TABLE {_ANNOUNCED} ON COMMIT DROP AS"
        " SELECT * FROM registry_eligibility_state"
    )
    await conn.execute(f"CREATE TEMPORARY TABLE {_IDENTITIES} ON COMMIT DROP AS {_IDENTITY}")
    await conn.execute(
        f"CREATE TEMPORARY TABLE {_VERDICTS} ON COMMIT DROP AS"
        " SELECT event_id, refused FROM processed_events WHERE consumer = $1",
        CONSUMER_NAME,
    )
    await empty(conn, _TABLES, restart_identity=True)
    await forget_progress(conn, CONSUMER_NAME)


async def finish(conn: Connection) -> None:
    """After the replay: what was announced, put back for every vendor still registered; the
    change feed as it was, and what the replay said that it did not (`_FEED_AS_SAID`)."""
    await conn.execute(
        f"""UPDATE registry_eligibility_state s
            SET eligible = b.eligible, eligible_again_on = b.eligible_again_on,
                barring = b.barring, upcoming = b.upcoming, as_of = b.as_of,
                updated_at = b.updated_at
            FROM {_ANNOUNCED} b WHERE b.vendor_id = s.vendor_id"""
    )
    # The feed's statistics know nothing of the replay's rows (one estimated, tens of
    # thousands there): planned on them, the statement compared every replayed row with every
    # row said (4.8 s at 12,000 of each, 0.15 s analysed first).
    await conn.execute("ANALYZE registry_changes")
    await conn.execute(_FEED_AS_SAID)


# The change feed is a record of what was said too: its readers hold cursors, which name the
# transactions that wrote it, and it holds what the calendar said on days without an event.
# So the rebuild keeps it (it is not emptied), and of what the replay wrote (in the
# rebuild's transaction) drops what the feed says already: a row for each row of the same
# vendor, kind and time (the causing event's recorded time), one for one. What is left is
# news: changes of events the live registry had not reached yet, and what the replay judged
# otherwise (rules changed since). A vendor whose identity is not what it was before the
# rebuild (an event of it judged otherwise), or who is no longer registered, is listed too
# (unless that news lists it already), at the end of the rebuild: told by a digest of the
# identity before and after, not by the feed's rows, so a later rebuild does not list it
# again. (Eligibility the calendar says when it next judges the vendor: `finish` put back
# what was announced.)
_FEED_AS_SAID = f"""
WITH replayed AS (
    SELECT seq, vendor_id, kind, recorded_at,
           row_number() OVER (PARTITION BY vendor_id, kind, recorded_at ORDER BY seq) AS nth
    FROM registry_changes WHERE xid = pg_current_xact_id()
), said AS (
    SELECT vendor_id, kind, recorded_at, count(*) AS times
    FROM registry_changes WHERE xid <> pg_current_xact_id()
    GROUP BY vendor_id, kind, recorded_at
), again AS (
    DELETE FROM registry_changes c
    USING replayed r JOIN said s USING (vendor_id, kind, recorded_at)
    WHERE c.seq = r.seq AND r.nth <= s.times
    RETURNING c.seq
), news AS (
    SELECT DISTINCT r.vendor_id
    FROM replayed r LEFT JOIN said s USING (vendor_id, kind, recorded_at)
    WHERE r.kind = 'identity' AND r.nth > coalesce(s.times, 0)
), now_identities AS ({_IDENTITY}
), other AS (
    SELECT coalesce(b.vendor_id, a.vendor_id) AS vendor_id
    FROM {_IDENTITIES} b FULL JOIN now_identities a USING (vendor_id)
    WHERE a.identity IS DISTINCT FROM b.identity
    EXCEPT SELECT vendor_id FROM news
)
INSERT INTO registry_changes (vendor_id, kind, recorded_at)
SELECT vendor_id, 'identity', clock_timestamp() FROM other ORDER BY vendor_id"""


async def changed_verdicts(conn: Connection) -> ChangedVerdicts:
    """After the replay, in its transaction: the events it judged otherwise than before (a
    policy or rule changed since). Risk and migration acted on the old verdicts. Events the
    live registry had judged count, the replay's verdict or its silence (a handler gone) being
    otherwise; those it had not reached yet (it may lag behind the log) nobody acted on."""
    # Whether each is in the log, a probe of its event_id index per differing event.
    row = await conn.fetchrow(
        f"""SELECT count(*) FILTER (WHERE NOT gone) AS n,
                   (array_agg(event_id ORDER BY event_id) FILTER (WHERE NOT gone))[1:3]
                       AS examples,
                   count(*) FILTER (WHERE gone) AS gone,
                   (array_agg(event_id ORDER BY event_id) FILTER (WHERE gone))[1:3]
                       AS gone_examples
            FROM (SELECT b.event_id,
                         (SELECT s.event_id FROM event_store s WHERE s.event_id = b.event_id)
                             IS NULL AS gone
                  FROM {_VERDICTS} b
                  LEFT JOIN processed_events a ON a.consumer = $1 AND a.event_id = b.event_id
                  WHERE a.refused IS DISTINCT FROM b.refused) d""",
        CONSUMER_NAME,
    )
    assert row is not None
    return ChangedVerdicts(
        row["n"],
        tuple(row["examples"] or ()),
        row["gone"],
        tuple(row["gone_examples"] or ()),
    )


def replaying(clock: Clock, policies: Mapping[str, SuspensionPolicy]) -> Consumer:
    """The registry's consumer for a replay: the live one, announcing nothing."""
    return registry_consumer(clock, policies, announce=False)
