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
        changes = [
            f"{p.contract_id}: {p.status.value} on {p.on}" + (f" ({p.note})" if p.note else "")
        ]
    elif isinstance(p, MigrationChecklistUpdated):
        changes = [f"{p.contract_id}: {p.check.value} {'passed' if p.passed else 'withdrawn'}"]
    elif isinstance(p, MigrationReplacementChosen):
        changes = [f"{p.contract_id}: replacement {p.replacement_vendor_id} chosen"]
    elif isinstance(p, MigrationPlanWithdrawn):
        changes = [f"plan withdrawn: {p.reason}"]
    elif isinstance(p, MigrationPlanCreated):
        changes = [f"plan opened ({p.trigger.value}) for {len(p.contract_ids)} contracts"]
    else:
        changes = [f"{event.event_type} recorded"]
    return MigrationProgress(
        event_id=strawberry.ID(str(event.event_id)),
        event_type=event.event_type,
        plan_id=strawberry.ID(p.plan_id),
        contract_id=strawberry.ID(contract_id) if contract_id else None,
        version=version,
        solver_status=status,
        changes=changes,
    )
