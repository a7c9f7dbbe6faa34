"""The registry's batch handler (`Consumer.apply_all`): a batch's frequent events in a
bounded number of statements, with exactly the effects of applying its events one by one.

rules.py decides which events go set-based (first) and which through their handlers
(after, in log order) and checks the set-based ones; a refusal anywhere raises, and the
consumer applies the batch again event by event to refuse only the faulty one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from services.events.base import EventEnvelope
from services.events.vendor import VendorRegistered
from services.platform.clock import Clock
from services.platform.consumer import Handler
from services.platform.database import Connection
from services.platform.recorded_time import recorded_times
from services.registry import announcements, vendor_repository
from services.registry.batch import repository, rules
from services.registry.batch.rules import REGISTERED, Stored, Writes


@dataclass(frozen=True)
class RegistryBatch:
    clock: Clock
    handlers: Mapping[str, Handler]  # every event type the registry applies

    async def apply_all(self, conn: Connection, events: Sequence[EventEnvelope]) -> None:
        plan = rules.plan(events, await self._affiliates(conn, events))
        if plan.together:
            await self._apply_together(conn, plan.together)
        for event in plan.one_by_one:
            await self.handlers[event.event_type](conn, event)

    async def _apply_together(self, conn: Connection, events: Sequence[EventEnvelope]) -> None:
        """Up to four reads, then a statement per table written, however many events."""
        registrations = [e.event_id for e in events if e.event_type == REGISTERED]
        recorded = await recorded_times(conn, registrations, self.clock) if registrations else {}
        stored = await self._stored(conn, events)
        await _write(conn, rules.fold(events, stored, recorded))

    async def _affiliates(
        self, conn: Connection, events: Sequence[EventEnvelope]
    ) -> dict[str, set[str]]:
        """Stored affiliates of the batch's registrations, both ways (rules.plan)."""
        vendor_ids = rules.registrations_to_screen(events)
        if not vendor_ids:
            return {}
        affiliates: dict[str, set[str]] = defaultdict(set)
        for change in await vendor_repository.affiliation_events(conn, vendor_ids, None):
            affiliates[change.vendor_id].add(change.related_vendor_id)
            affiliates[change.related_vendor_id].add(change.vendor_id)
        return affiliates

    async def _stored(self, conn: Connection, events: Sequence[EventEnvelope]) -> Stored:
        """What the set-based events depend on that the database held before them."""
        identifiers = [
            identifier
            for e in events
            if e.event_type == REGISTERED
            for identifier in vendor_repository.normalized_identifiers(
                cast(VendorRegistered, e.payload).identifiers
            )
        ]
        incidents = rules.stored_incidents_asked(events)
        vendor_ids = sorted({e.vendor_id for e in events})
        return Stored(
            vendors=frozenset(await vendor_repository.existing_vendors(conn, vendor_ids)),
            identifier_owners=(
                await vendor_repository.identifier_owners(conn, identifiers) if identifiers else {}
            ),
            incidents_closed=(
                await repository.incidents_closed(conn, incidents) if incidents else {}
            ),
        )


async def _write(conn: Connection, writes: Writes) -> None:
    """A statement per table written, in the order the handlers write them."""
    if writes.vendors:
        await vendor_repository.insert_new_vendors(
            conn, [(vendor, event_id) for vendor, event_id, _ in writes.vendors]
        )
        await announcements.record_each_change(
            conn, [(vendor.vendor_id, "identity", at) for vendor, _, at in writes.vendors]
        )
        await announcements.start_as_eligible(
            conn, [(vendor.vendor_id, at) for vendor, _, at in writes.vendors]
        )
    for table, rows in writes.records.items():
        await repository.insert_records(conn, table, rows)
    if writes.incident_steps:
        await repository.update_incidents(conn, writes.incident_steps)
