"""What `migrationProgress` streams: one entry per migration event of the plan."""

from __future__ import annotations

from collections.abc import Sequence

import strawberry

from services.events.base import EventEnvelope
from services.events.migration import (
    MigrationChecklistUpdated,
    MigrationItemConfigured,
    MigrationItemStatusChanged,
    MigrationPlanConfigured,
    MigrationPlanCreated,
    MigrationPlanScheduled,
    MigrationPlanWithdrawn,
    MigrationReplacementChosen,
    SolverStatus,
)
from services.migration.domain import change_words
from services.migration.storage import plan_repository
from services.platform.graphql.context import Info
from services.platform.graphql.nodes import Key, Node, in_key_order, logged_events
from services.platform.security.access import agencies_in_view, sees_agency

_PAYLOADS = (
    MigrationPlanCreated,
    MigrationPlanConfigured,
    MigrationItemConfigured,
    MigrationReplacementChosen,
    MigrationChecklistUpdated,
    MigrationItemStatusChanged,
    MigrationPlanScheduled,
    MigrationPlanWithdrawn,
)
PROGRESS_EVENTS = frozenset(kind.event_type for kind in _PAYLOADS)


@strawberry.type(description="A step in a plan's life: a new schedule version or an item's news.")
class MigrationProgress(Node):
    event_id: strawberry.ID = strawberry.field(description="The migration event reported.")
    event_type: str = strawberry.field(
        description="Its type, e.g. migration.plan_scheduled, migration.item_status_changed."
    )
    plan_id: strawberry.ID = strawberry.field(description="The plan it is about.")
    contract_id: strawberry.ID | None = strawberry.field(description="The item, when about one.")
    version: int | None = strawberry.field(description="For a new schedule: its version.")
    solver_status: SolverStatus | None = strawberry.field(
        description="For a new schedule: what the scheduler achieved; null otherwise."
    )
    changes: list[str] = strawberry.field(description="What happened, in words.")

    # The migration event reported names it.
    node_key_names = ("eventId",)

    def node_key(self) -> Key:
        return (str(self.event_id),)

    @classmethod
    async def resolve_nodes(cls, info: Info, keys: Sequence[Key]) -> list[MigrationProgress | None]:
        events = await logged_events(info, keys, PROGRESS_EVENTS)
        found = {k: progress_of(e.envelope) for k, e in events.items()}
        principal = info.context.principal
        if agencies_in_view(principal) is not None:
            # As `migrationProgress`: a system owner follows its own agencies' plans only.
            async with info.context.pool.acquire() as conn:
                plans = await plan_repository.plans(
                    conn, sorted({p.plan_id for p in found.values()})
                )
            found = {
                k: p
                for k, p in found.items()
                if p.plan_id in plans and sees_agency(principal, plans[p.plan_id].agency)
            }
        return in_key_order(found, keys)


def progress_of(event: EventEnvelope) -> MigrationProgress:
    """The subscriber's view of a migration event (one of PROGRESS_EVENTS)."""
    p = event.payload
    assert isinstance(p, _PAYLOADS)
    contract_id = getattr(p, "contract_id", None)
    version = status = None
    if isinstance(p, MigrationPlanScheduled):
        version, status, changes = p.version, p.solver_status, list(p.changes)
    elif isinstance(p, MigrationItemStatusChanged):
        changes = [change_words.milestone(p.contract_id, p.status, p.on, p.note)]
    elif isinstance(p, MigrationChecklistUpdated):
        changes = [change_words.check_changed(p.contract_id, p.check, p.passed)]
    elif isinstance(p, MigrationReplacementChosen):
        changes = [
            change_words.replacement_chosen(p.contract_id, p.replacement_vendor_id, p.chosen_on)
        ]
    elif isinstance(p, MigrationPlanConfigured):
        # The fields given: the feed is told the event, not the plan before it (the version's
        # cause names those that changed).
        changes = [change_words.settings_changed(sorted(p.model_fields_set - {"plan_id"}))]
    elif isinstance(p, MigrationItemConfigured):
        given = sorted(p.model_fields_set - {"plan_id", "contract_id"})
        changes = [change_words.item_changed(p.contract_id, given)]
    elif isinstance(p, MigrationPlanWithdrawn):
        changes = [f"plan withdrawn: {p.reason}"]
    else:
        changes = [f"plan opened ({p.trigger.value}) for {len(p.contract_ids)} contracts"]
    return MigrationProgress(
        event_id=strawberry.ID(str(event.event_id)),
        event_type=event.event_type,
        plan_id=strawberry.ID(p.plan_id),
        contract_id=strawberry.ID(contract_id) if contract_id else None,
        version=version,
        solver_status=status,
        changes=changes,
    )
