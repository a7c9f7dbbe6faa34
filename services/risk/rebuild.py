"""Rebuilding every score and the whole history from the event store (the log of record).

For a replay (the scores must come out exactly as live processing made them) and for a new
scoring-model version applied to all history. `vendorwatch rebuild` runs it while the
system runs, holding the risk consumer's lock (services/cli/rebuilding.py): live batches
wait, then skip through the ledger what the rebuild applied. The replay itself is
platform/consuming/replay.py's: batches of thousands of events, each folded in memory by the live
batch handler and written once per table.
"""

from __future__ import annotations

from dataclasses import replace

import asyncpg

from services.platform.consuming.applied_order import AppliedOrder
from services.platform.consuming.consumer import Consumer
from services.platform.consuming.rebuilding import empty, forget_progress
from services.platform.consuming.replay import Stage, replay
from services.platform.postgres.database import Connection
from services.platform.postgres.one_transaction import one_transaction
from services.risk.handlers import CONSUMER_NAME, RiskService, risk_consumer
from services.risk.jobs import REFRESH_BATCH
from services.risk.storage import moved_agencies

# The order live processing applied the events in: a history row keeps the agencies' totals
# of critical contracts as applied so far, across vendors, so the replay applies them in it
# (platform/consuming/applied_order.py). A rolled-back batch leaves gaps, which change nothing.
APPLIED_ORDER = AppliedOrder(CONSUMER_NAME, "SELECT event_id, seq FROM risk_events")

# Each before the tables it references.
_TABLES = (
    "risk_history",
    "risk_history_marks",
    "risk_history_items",
    "risk_event_subjects",
    "risk_incident_subjects",
    "risk_contracts",
    "risk_critical_days",
    "risk_vendor_states",
    "risk_current",
    "risk_events",
    "risk_vendor_items",
    "risk_moved_agencies",
)


async def reset(conn: Connection) -> None:
    """An emptied risk service that has applied nothing yet (call inside the rebuild's
    transaction: readers see the scores as they were until it commits).

    What was announced stays: each vendor's last announced score (`risk_announced`) is a
    record of what subscribers were told, like the `risk.changed` events in the log, not a
    function of the log (live processing decided it on the day it ran), and the next live
    announcement is measured from it. So do the evidence bodies, stored by digest, which those
    scores may name. After a rebuild under a new model, the next event or daily refresh
    announces the vendors whose scores moved. A vendor whose every event the registry now
    refuses (its policies changed since) keeps what it was last told about, with no current
    score: nothing re-scores it until an event of its is accepted again."""
    await empty(conn, _TABLES, restart_identity=True)
    await forget_progress(conn, CONSUMER_NAME)


async def finish(conn: Connection, service: RiskService) -> None:
    """Re-scores for today the vendors holding a running critical contract at an agency the
    replay marked (call inside the rebuild's transaction, after the replay).

    The replay stores each current score as of the vendor's last event, with the agencies'
    totals then (as a live batch does); live processing had since re-scored the vendors whose
    concentration other vendors' contracts moved afterwards (jobs.rescore_moved). Without
    this, riskiestVendors would rank the older scores until that job's next run."""
    holders = await moved_agencies.holders_of_marked(conn, service.clock.today())
    quiet = replace(service, announce=False, lock_vendors=False)
    for start in range(0, len(holders), REFRESH_BATCH):
        await quiet.refresh(conn, holders[start : start + REFRESH_BATCH])
    await moved_agencies.forget_all(conn)


def replaying(service: RiskService) -> Consumer:
    """The risk consumer for a replay: the live one, announcing nothing and taking no lock
    per vendor (`RiskService.lock_vendors`)."""
    return risk_consumer(replace(service, announce=False, lock_vendors=False))


async def rebuild(pool: asyncpg.Pool, service: RiskService) -> int:
    """Recomputes the risk service's state from every stored event the registry accepted,
    announcing nothing, in one transaction. Returns how many events were read. Takes none of
    the locks that keep live batches and the daily refresh out (those are `vendorwatch
    rebuild risk`'s, cli/rebuilding.py): for a database nothing else applies events to."""
    async with one_transaction(pool) as held:
        async with held.acquire() as conn:
            await reset(conn)
        passed = await replay(pool, [Stage(replaying(service), held, APPLIED_ORDER)])
        async with held.acquire() as conn:
            await finish(conn, service)
        await held.commit()
    passed.say_refused()
    return passed.read
