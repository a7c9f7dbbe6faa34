"""Rebuilding the registry's projection from the event store, while the system runs.

Everything is recomputed from the events, by the live handlers, with announcements off:
vendors, identities, records, sanctions and their changes, import reports, review decisions,
the announced eligibility states and the change feed. It comes out as live processing made
it because nothing in it depends on when it is applied: facts and feed entries are dated
when the log recorded their event (migrations/0003_recorded_from_the_log.sql,
platform/eventstore/recorded_time.py), eligibility is judged for that day, and the verdicts
(refusals) follow from the same rules.

Left as it is: the outbox (announcements still to be relayed were said before the rebuild)
and the dead letters (a refusal judged again is recorded once). Run under
platform/consuming/rebuilding.py's exclusive pool, holding the calendar's lock: the calendar
must not announce from a registry half replayed. The replay itself is
platform/consuming/replay.py's."""

from __future__ import annotations

from collections.abc import Mapping

from services.platform.clock import Clock
from services.platform.consuming.consumer import Consumer
from services.platform.consuming.rebuilding import empty, forget_progress
from services.platform.postgres.database import Connection
from services.registry.announcements import RECONCILE_LOCK_KEY
from services.registry.domain.policy import SuspensionPolicy
from services.registry.handlers import CONSUMER_NAME, registry_consumer

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
    "registry_changes",
    "registry_vendor_names",
    "registry_vendor_identifiers",
    "registry_match_reviews",
    "registry_import_candidates",
    "registry_import_reports",
    "registry_vendors",
)


async def reset(conn: Connection) -> None:
    """An emptied registry that has applied nothing yet (call inside the rebuild's
    transaction: readers see the registry as it was until it commits)."""
    await empty(conn, _TABLES, restart_identity=True)
    await forget_progress(conn, CONSUMER_NAME)


def replaying(clock: Clock, policies: Mapping[str, SuspensionPolicy]) -> Consumer:
    """The registry's consumer for a replay: the live one, announcing nothing."""
    return registry_consumer(clock, policies, announce=False)
