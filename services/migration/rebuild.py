"""Rebuilding the migration service's projection from the event store, while the system runs.

Recomputed from the log, by the live handlers with announcements off: contracts and
subcontracts, each vendor's eligibility (from the registry's recorded announcements, which
are themselves replayed, not judged again), plans, their items, settings, checklists and
statuses, and each plan's revision and pending causes. Plans are opened with the same ids
(plan_opening.automatic_plan_id) and dated when the log recorded their cause.

Replayed as decided: the versions of each plan's schedule. The planner solves outside the
event transactions, whenever it gets to a plan (so which changes share a version depends on
timing), on the day it runs and within a time limit (so the schedule, its bound and its wall
time depend on the machine): none of that can be recomputed from the log. The versions table
is the record of those decisions, like migration.plan_scheduled in the log, and is kept:
after the replay each plan is marked planned up to the revision of its latest version, and
the causes that version already explained are dropped, so the planner goes on exactly where
it was; a plan the replay made otherwise than that version saw it (rules changed since) is
planned again (`finish`). Run under platform/consuming/rebuilding.py's exclusive pool,
holding the planner's lock: a plan half replayed must not be solved. The replay itself is
platform/consuming/replay.py's."""

from __future__ import annotations

from services.migration.planner_lock import PLANNER_LOCK_KEY
from services.migration.setup import CONSUMER_NAME, consumer
from services.platform.clock import Clock
from services.platform.consuming.applied_order import AppliedOrder
from services.platform.consuming.consumer import Consumer
from services.platform.consuming.rebuilding import empty, forget_progress
from services.platform.postgres.database import Connection

# Held beside the consumer's own lock while the plans are rebuilt.
LOCKS = (PLANNER_LOCK_KEY,)

# The order live processing applied the log in (recorded with the claims): an owner's event
# on a plan is judged with other vendors' eligibility as it stood then, and partitions
# interleave freely (platform/consuming/applied_order.py). Events applied before the order
# was recorded come in the registry's order, as before.
APPLIED_ORDER = AppliedOrder(
    CONSUMER_NAME, f"SELECT event_id, seq FROM claim_order WHERE consumer = '{CONSUMER_NAME}'"
)

# Each before the tables it references.
_TABLES = (
    "migration_items",
    "migration_plans",
    "migration_eligibility",
    "migration_subcontracts",
    "migration_contracts",
)


async def reset(conn: Connection) -> None:
    """Emptied plans (their versions kept) that have applied nothing yet (call inside the
    rebuild's transaction: readers see the plans as they were until it commits)."""
    await empty(conn, _TABLES)
    await forget_progress(conn, CONSUMER_NAME)


def replaying(clock: Clock) -> Consumer:
    """The migration consumer for a replay: the live one, announcing nothing."""
    return consumer(clock, announce=False)


async def finish(conn: Connection) -> None:
    """After the replay: each plan planned up to its latest kept version; unless the replay
    made the plan otherwise than that version saw it (rules changed since, as migration
    0003's categories did): more revisions explained than the plan now has, or, at the same
    revision, other contracts. Such a plan is planned again, all its causes kept: its latest
    version schedules what the plan no longer holds, or leaves out what it holds now."""
    # A plan's causes gain one entry per revision (plan_repository.changed), so the
    # first `revision` of them are those its latest version explained.
    await conn.execute(
        """WITH latest AS (
               SELECT DISTINCT ON (plan_id) plan_id, revision,
                      ARRAY(SELECT jsonb_object_keys(snapshot -> 'statuses') ORDER BY 1)
                          AS contracts
               FROM migration_plan_versions ORDER BY plan_id, version DESC
           ), kept AS (
               SELECT p.plan_id, v.revision,
                      v.revision < p.revision
                      OR (v.revision = p.revision AND v.contracts = ARRAY(
                          SELECT contract_id FROM migration_items i
                          WHERE i.plan_id = p.plan_id ORDER BY 1)) AS as_seen
               FROM migration_plans p JOIN latest v USING (plan_id)
           )
           UPDATE migration_plans p
           SET planned_revision = CASE WHEN k.as_seen THEN k.revision ELSE 0 END,
               causes = CASE WHEN k.as_seen THEN p.causes[k.revision + 1:] ELSE p.causes END
           FROM kept k WHERE p.plan_id = k.plan_id"""
    )
