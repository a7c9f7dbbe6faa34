"""The migration service's batch handler (`Consumer.apply_all`): a batch's contract awards in
a bounded number of statements, with exactly the effects of applying its events one by one.

rules.py decides which awards are written together (first) and which events go through
their handlers (after, in log order). A handler that refuses an event raises, and the
consumer applies the batch again event by event to refuse only that one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from services.events.base import EventEnvelope
from services.migration.batch import rules
from services.migration.batch.rules import Stored
from services.migration.storage import contract_repository
from services.platform.consuming.consumer import Handler
from services.platform.postgres.database import Connection


@dataclass(frozen=True)
class MigrationBatch:
    handlers: Mapping[str, Handler]  # every event type the migration service applies

    async def apply_all(self, conn: Connection, events: Sequence[EventEnvelope]) -> None:
        plan = rules.plan(events, await _stored(conn, events))
        if plan.together:
            await contract_repository.put_contracts(conn, plan.together)
        for event in plan.one_by_one:
            await self.handlers[event.event_type](conn, event)


async def _stored(conn: Connection, events: Sequence[EventEnvelope]) -> Stored:
    """Two reads, whatever the batch's size (none without an award)."""
    awards = rules.awards(events)
    if not awards:
        return Stored(barred=frozenset(), known_contracts=frozenset())
    vendor_ids = sorted({e.vendor_id for e in awards})
    contract_ids = sorted({rules.contract_row(e).contract_id for e in awards})
    return Stored(
        barred=frozenset(await contract_repository.bars_of(conn, vendor_ids)),
        known_contracts=frozenset(await contract_repository.known_contracts(conn, contract_ids)),
    )
