"""The registry's batch handler (`Consumer.apply_all`): a batch's frequent events in a
bounded number of statements, with exactly the effects of applying its events one by one.

rules.py decides which events go set-based (first the records, then the sanction events) and
which through their handlers (after, in log order), and checks the records; sanction_rules.py
checks and folds the sanction events. A refusal anywhere raises before its part is written,
and the consumer applies the batch again event by event to refuse only the faulty one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from services.events.base import EventEnvelope
from services.events.sanction import SanctionAmended, SanctionImposed, SanctionLifted
from services.platform.clock import Clock
from services.platform.consuming.consumer import Handler
from services.platform.eventstore.recorded_time import recorded_times
from services.platform.off_the_loop import Turns
from services.platform.postgres.database import Connection
from services.registry import announcements
from services.registry.batch import repository, rules
from services.registry.batch.rules import AWARDED, NAMING, REGISTERED, Stored, Writes
from services.registry.batch.sanction_rules import SanctionFold, SanctionState, reach
from services.registry.domain.affiliations import periods_by_pair
from services.registry.domain.policy import SuspensionPolicy
from services.registry.domain.reference_rules import named
from services.registry.reads.screening import TIMELINES
from services.registry.records import INCIDENT_STEPS
from services.registry.storage import sanction_repository, sanctions_by_day, vendor_repository
from services.registry.storage.named_records import known_records
from services.registry.storage.vendor_repository import VendorRow

_SanctionEvent = SanctionImposed | SanctionAmended | SanctionLifted
# The set-based events whose writes or verdicts depend on when the log recorded them.
DATED = frozenset({REGISTERED, AWARDED, *NAMING, *INCIDENT_STEPS})


@dataclass(frozen=True)
class RegistryBatch:
    """`announce=False` (a rebuild): as the handlers', no announcements."""

    clock: Clock
    policies: Mapping[str, SuspensionPolicy]
    handlers: Mapping[str, Handler]  # every event type the registry applies
    announce: bool = True

    async def apply_all(self, conn: Connection, events: Sequence[EventEnvelope]) -> None:
        affiliates = await self._affiliates(conn, events)
        plan = rules.plan(events, affiliates)
        # When the log recorded them: the time their decisions are dated.
        dated = [e.event_id for e in plan.together if e.event_type in DATED]
        dated += [e.event_id for e in plan.sanctions]
        recorded = await recorded_times(conn, dated, self.clock) if dated else {}
        if plan.together or plan.sanctions:
            vendors = rules.registrations(plan.together)
            stored = await self._stored(conn, (*plan.together, *plan.sanctions), vendors)
            writes = rules.fold(plan.together, stored, recorded, vendors)
            await _write(conn, writes)
            feed = [(vendor.vendor_id, "identity", at) for vendor, _, at in writes.vendors]
            if plan.sanctions:
                registered = stored.vendors | {vendor.vendor_id for vendor, _, _ in writes.vendors}
                feed += await self._apply_sanctions(
                    conn, plan.sanctions, affiliates, recorded, registered
                )
            # Both parts' change feed in one statement: the rows' order is all it depends on.
            await announcements.record_each_change(conn, feed)
        for event in plan.one_by_one:
            await self.handlers[event.event_type](conn, event)

    async def _apply_sanctions(
        self,
        conn: Connection,
        events: Sequence[EventEnvelope],
        affiliates: Mapping[str, Collection[str]],
        recorded: Mapping[uuid.UUID, dt.datetime],
        registered: frozenset[str],
    ) -> list[tuple[str, str, dt.datetime]]:
        """Four or five reads, then a statement per table written, however many events;
        returns the rows of the change feed to write (`registered`: of the events' vendors,
        those registered before them)."""
        vendor_ids = sorted({e.vendor_id for e in events})
        reached = set().union(*(reach(v, affiliates) for v in vendor_ids))
        # As a reconcile does: the announced states locked before the sanctions are read.
        announced = await announcements.lock_states(conn, sorted(reached))
        # Vendors without stored affiliates (the common case) have no affiliation to read.
        periods = periods_by_pair(
            await vendor_repository.affiliation_events(conn, sorted(reached), None)
            if any(affiliates.get(v) for v in vendor_ids)
            else []
        )
        everyone = reached.union(*periods)  # and their affiliates
        sanction_ids = sorted({cast(_SanctionEvent, e.payload).sanction_id for e in events})
        # The first day the batch screens: a sanction over by then bars nothing then or
        # after, and is not read (a repeat offender's record grows, its screens do not).
        since = min(recorded[e.event_id] for e in events).date()
        state = SanctionState(
            registered=registered,
            since=since,
            headers=await sanction_repository.sanction_headers(conn, sanction_ids),
            partners=affiliates,
            periods=periods,
            # Rows are only ever inserted, so a stored sanction's timeline is the one the
            # screens' cache keeps for its events (built once per process, not every batch).
            sanctions=[
                (row, TIMELINES.timeline(row))
                for row in await sanctions_by_day.rows_applying_from(
                    conn, sorted(everyone), since, sanction_ids
                )
            ],
            announced=announced,
        )
        # Some 30 ms of CPU for a batch's sanctions (each one screens its vendors again): the
        # loop, which `up`'s API shares, gets its turns between two events.
        folding = SanctionFold(state, recorded, self.policies, announce=self.announce)
        turns = Turns()
        for event in events:
            await turns.give()
            folding.add(event)
        writes = folding.writes
        if writes.sanctions:
            await repository.insert_records(conn, "registry_sanctions", writes.sanctions)
        if writes.changes:
            await repository.insert_records(conn, "registry_sanction_changes", writes.changes)
        if writes.states:
            await announcements.save_states(conn, list(writes.states.values()))
        if writes.announcements:
            await announcements.OUTBOX.put(conn, writes.announcements)
        return writes.feed

    async def _affiliates(
        self, conn: Connection, events: Sequence[EventEnvelope]
    ) -> dict[str, set[str]]:
        """Stored affiliates of the vendors `rules.plan` asks about, both ways."""
        vendor_ids = rules.vendors_to_screen(events)
        if not vendor_ids:
            return {}
        affiliates: dict[str, set[str]] = defaultdict(set)
        for change in await vendor_repository.affiliation_events(conn, vendor_ids, None):
            affiliates[change.vendor_id].add(change.related_vendor_id)
            affiliates[change.related_vendor_id].add(change.vendor_id)
        return affiliates

    async def _stored(
        self,
        conn: Connection,
        events: Sequence[EventEnvelope],
        vendors: Mapping[uuid.UUID, VendorRow],
    ) -> Stored:
        """What the set-based events depend on that the database held before them
        (`vendors`: the registrations among them, `rules.registrations`)."""
        identifiers = [i for vendor in vendors.values() for i in vendor.identifiers]
        incidents = rules.stored_incidents_asked(events)
        vendor_ids = sorted({e.vendor_id for e in events})
        return Stored(
            vendors=frozenset(await vendor_repository.existing_vendors(conn, vendor_ids)),
            identifier_owners=(
                await vendor_repository.identifier_owners(conn, identifiers) if identifiers else {}
            ),
            incidents=await repository.incident_states(conn, incidents) if incidents else {},
            named=await known_records(conn, named(events)),
        )


async def _write(conn: Connection, writes: Writes) -> None:
    """A statement per table written, in the order the handlers write them; the change
    feed aside (apply_all)."""
    if writes.vendors:
        await vendor_repository.insert_new_vendors(
            conn, [(vendor, event_id) for vendor, event_id, _ in writes.vendors]
        )
        await announcements.start_as_eligible(
            conn, [(vendor.vendor_id, at) for vendor, _, at in writes.vendors]
        )
    for table, rows in writes.records.items():
        await repository.insert_json(conn, table, rows.columns, rows.array())
    if writes.incident_steps:
        await repository.update_incidents(conn, writes.incident_steps)
