"""The migration service's plans as the API shows them: a plan with its settings, phases, items
and the solver's report, its versions, and pages of plans."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Annotated

import strawberry

from services.events.migration import EarlyCutoverPolicy as EarlyCutoverModel
from services.migration.api.graphql_enums import (
    MigrationPlanStatus,
    MigrationTrigger,
    SolverStatus,
)
from services.migration.api.graphql_items import MigrationItem, MigrationPhase, plan_items
from services.migration.api.plan_visibility import plans_in_view, views_in_view
from services.migration.domain.plan_status import plan_status
from services.migration.planning.model import PlanSettings
from services.migration.planning.outcome_words import has_schedule, why_no_schedule
from services.migration.planning.phases import phase_end, phase_label, phase_start
from services.migration.storage import queries
from services.migration.storage.plan_repository import VersionRow
from services.migration.storage.queries import PlanView
from services.platform.graphql.context import Info
from services.platform.graphql.descriptions import After, first
from services.platform.graphql.nodes import Key, Node, in_key_order
from services.platform.graphql.pagination import (
    PageInfo,
    cursor_position,
    page_size,
    position_cursor,
)
from services.platform.postgres.whole_numbers import INTEGER_MAX
from services.registry.api.graphql_eligibility import EligibilityReason

MAX_PAGE = 100
First100 = first(MAX_PAGE)
CURSOR = "Opaque: pass it as `after` to get the items after this one."
EDGES = "The page's items, in list order."
PAGE_INFO = "Where the page is in the list, and the cursors to move on from it."


@strawberry.type(description="Days on which nothing may cut over.")
class BlackoutWindow:
    starts_on: dt.date = strawberry.field(description="First day of the window.")
    ends_on: dt.date = strawberry.field(description="Last day of the window (inclusive).")
    reason: str = strawberry.field(description="Why nothing may cut over then.")


@strawberry.type(description="A phase whose capacity differs from the plan's.")
class PhaseCapacity:
    phase_start: dt.date = strawberry.field(description="First day of the phase.")
    capacity: int = strawberry.field(description="Cut-overs in that phase (0: none).")


@strawberry.type(description="How the plan is scheduled.")
class MigrationPlanSettings:
    starts_on: dt.date = strawberry.field(description="First day of the first phase.")
    phase_months: int = strawberry.field(description="Length of a phase in months.")
    capacity: int = strawberry.field(
        description="Cut-overs per phase (unless a phase has its own capacity)."
    )
    capacity_overrides: list[PhaseCapacity] = strawberry.field(
        description="The phases with a capacity of their own, in phase order (as"
        " `capacityOverrides` of the settings' input set them; empty: none)."
    )
    blackouts: list[BlackoutWindow] = strawberry.field(
        description="Days on which nothing may cut over."
    )
    early_cutover: EarlyCutoverModel = strawberry.field(
        description="Whether an item may cut over before its contract ends (at `earlyPenalty`"
        " per phase early, when PENALISE)."
    )
    early_penalty: int = strawberry.field(
        description="Cost of each phase an item cuts over before its contract's end, when"
        " early cut-overs are penalised."
    )
    deadline_on: dt.date | None = strawberry.field(
        description="Every item cut over by this day; null: no deadline."
    )
    time_limit_seconds: float = strawberry.field(
        description="How long the scheduler may search, in seconds."
    )

    @classmethod
    def of(cls, s: PlanSettings) -> MigrationPlanSettings:
        return cls(
            starts_on=s.starts_on,
            phase_months=s.phase_months,
            capacity=s.capacity,
            # In phase order, not as given: a refusal names phases by their first days.
            capacity_overrides=[
                PhaseCapacity(phase_start=c.phase_start, capacity=c.capacity)
                for c in sorted(s.capacity_overrides, key=lambda c: c.phase_start)
            ],
            blackouts=[
                BlackoutWindow(starts_on=b.starts_on, ends_on=b.ends_on, reason=b.reason)
                for b in s.blackouts
            ],
            early_cutover=EarlyCutoverModel(s.early_cutover.value),
            early_penalty=s.early_penalty,
            deadline_on=s.deadline_on,
            time_limit_seconds=s.time_limit_seconds,
        )


@strawberry.type(description="What the solver reported for a version of the plan's schedule.")
class SolverReport(Node):
    plan_id: strawberry.Private[str]
    version: int = strawberry.field(
        description="The schedule's version: 1 for the first, one more for each re-plan."
    )
    status: SolverStatus = strawberry.field(  # type: ignore[valid-type]
        description="What the scheduler achieved."
    )
    gap: float | None = strawberry.field(description="Relative gap to the best bound; 0 optimal.")
    objective: int | None = strawberry.field(
        description="The schedule's cost (lower is better); null when there is no schedule."
    )
    best_bound: int | None = strawberry.field(
        description="The lowest cost the scheduler could prove possible; null when unknown."
    )
    wall_seconds: float = strawberry.field(description="How long the scheduler ran, in seconds.")
    conflicts: list[str] = strawberry.field(description="Why no schedule exists, if none does.")
    why_no_schedule: list[str] = strawberry.field(
        description="Why the version has no schedule, in the words of the plan's CSV and Gantt"
        " chart: the conflicts, or what stands for them when the solver named none (the time"
        " limit passed before any schedule was found; the constraints cannot all hold)."
        " Empty when it has a schedule."
    )
    changes: list[str] = strawberry.field(description="What changed from the version before.")
    causes: list[str] = strawberry.field(description="The events that caused this version.")
    created_at: dt.datetime = strawberry.field(
        description="When this version was made (with its UTC offset)."
    )

    node_key_names = ("planId", "version")

    def node_key(self) -> Key:
        return (self.plan_id, str(self.version))

    @classmethod
    async def resolve_nodes(cls, info: Info, keys: Sequence[Key]) -> list[SolverReport | None]:
        wanted = [(plan, int(version)) for plan, version in keys]
        async with info.context.pool.acquire() as conn:
            plans = await plans_in_view(info, conn, [plan for plan, _ in wanted])
            versions = await queries.versions_named(conn, [k for k in wanted if k[0] in plans])
        found = {(plan, str(n)): _report(v) for (plan, n), v in versions.items()}
        return in_key_order(found, keys)


@strawberry.type(description="A version of the plan's schedule, newest first.")
class MigrationPlanVersionEdge:
    cursor: str = strawberry.field(description=CURSOR)
    node: SolverReport = strawberry.field(description="The version's solver report.")


@strawberry.type(description="A page of a plan's schedule versions, newest first.")
class MigrationPlanVersionConnection:
    edges: list[MigrationPlanVersionEdge] = strawberry.field(description=EDGES)
    page_info: PageInfo = strawberry.field(description=PAGE_INFO)
    total_count: int = strawberry.field(description="How many versions there are in all.")


def _report(version: VersionRow) -> SolverReport:
    s = version.snapshot.schedule
    return SolverReport(
        plan_id=version.plan_id,
        version=version.version,
        status=s.status,
        gap=s.gap,
        objective=s.objective,
        best_bound=s.best_bound,
        wall_seconds=s.wall_seconds,
        conflicts=list(s.conflicts),
        why_no_schedule=[] if has_schedule(s) else list(why_no_schedule(s)),
        changes=list(version.changes),
        causes=list(version.causes),
        created_at=version.created_at,
    )


@strawberry.type(description="A plan to move one agency's contracts away from a vendor.")
class MigrationPlan(Node):
    view: strawberry.Private[PlanView]

    @strawberry.field(
        description="The plan's own id (`planId` in the mutations and `migrationProgress`);"
        " `id` is its global id."
    )
    def plan_id(self) -> strawberry.ID:
        return strawberry.ID(self.view.plan.plan_id)

    node_key_names = ("planId",)

    def node_key(self) -> Key:
        return (self.view.plan.plan_id,)

    @classmethod
    async def resolve_nodes(cls, info: Info, keys: Sequence[Key]) -> list[MigrationPlan | None]:
        # As `migrationPlan`: another agency's plan is not there for a system owner.
        async with info.context.pool.acquire() as conn:
            views = await views_in_view(info, conn, [plan for (plan,) in keys])
        return in_key_order({(v.plan.plan_id,): cls(view=v) for v in views}, keys)

    @strawberry.field(description="The vendor whose contracts move away.")
    def vendor_id(self) -> strawberry.ID:
        return strawberry.ID(self.view.plan.vendor_id)

    @strawberry.field(description="The agency whose contracts the plan moves.")
    def agency(self) -> str:
        return self.view.plan.agency

    @strawberry.field(description="Why the plan was opened.")
    def trigger(self) -> MigrationTrigger:  # type: ignore[valid-type]
        return self.view.plan.trigger

    @strawberry.field(
        description="Why the plan exists (the sanction, or the owner's reason); of a vendor"
        " that may bid for the plan's contracts again, what bars it before they end too, as"
        " `vendorBarredLater` says it."
    )
    def reason(self) -> str:
        plan = self.view.plan
        later = self.view.barred_later
        return f"{plan.reason}; {later.said}" if later and plan.vendor_eligible else plan.reason

    @strawberry.field(description="Day the plan was opened.")
    def created_on(self) -> dt.date:
        return self.view.plan.created_on

    @strawberry.field(
        description="Whether the vendor may bid again for the plan's contracts now: no sanction"
        " bars it at the plan's agency from their categories (one of other categories leaves"
        " it true). One recorded to begin before they end is `vendorBarredLater`'s."
    )
    def vendor_eligible(self) -> bool:
        return self.view.plan.vendor_eligible

    @strawberry.field(
        description="What a sanction already recorded will bar the vendor from at the plan's"
        " agency before the contracts still to move (items not done) end: the bar to come, the"
        " day the vendor may bid there again, and the contracts that run into it; null when"
        " nothing recorded does. While it is said, the plan cannot be withdrawn"
        " (`barred_later`): those contracts must move to other vendors by their end (the bar"
        " does not cut them short)."
    )
    def vendor_barred_later(self) -> str | None:
        later = self.view.barred_later
        return later.said if later is not None else None

    @strawberry.field(
        description="The sanctions `vendorBarredLater` says, each from the first day it bars the"
        " vendor at the plan's agency (its `startsOn`), in the order they begin: when the bar to"
        " come begins, and why. Empty when `vendorBarredLater` is null."
    )
    def vendor_bars_to_come(self) -> list[EligibilityReason]:
        later = self.view.barred_later
        return [EligibilityReason.of_ref(r) for r in later.reasons] if later else []

    @strawberry.field(
        description="The contracts still to move that `vendorBarsToCome` begin before they"
        " end, by id: they must move to other vendors by their end, as the plan schedules them."
        " Empty when `vendorBarredLater` is"
        " null."
    )
    def vendor_barred_later_contracts(self) -> list[strawberry.ID]:
        later = self.view.barred_later
        return [strawberry.ID(c) for c in later.contracts] if later else []

    @strawberry.field(
        description="Where the plan stands: OPEN, COMPLETED once every item is done (until a"
        " contract found later joins it), WITHDRAWN by its owner."
    )
    def status(self) -> MigrationPlanStatus:  # type: ignore[valid-type]
        plan = self.view.plan
        return plan_status(
            plan.withdrawn_at is not None, (i.status for i in self.view.items.values())
        )

    @strawberry.field(
        description="When its owner withdrew the plan (when the log recorded it, with its UTC"
        " offset); null while it is not withdrawn."
    )
    def withdrawn_at(self) -> dt.datetime | None:
        return self.view.plan.withdrawn_at

    @strawberry.field(description="Why its owner withdrew the plan; null while it is not.")
    def withdrawal_reason(self) -> str | None:
        return self.view.plan.withdrawal_reason

    @strawberry.field(
        description="False for the moment between a change and its re-plan (a withdrawn plan"
        " is re-planned no more: true)."
    )
    def up_to_date(self) -> bool:
        plan = self.view.plan
        return plan.withdrawn_at is not None or plan.planned_revision == plan.revision

    @strawberry.field(description="How the plan is scheduled.")
    def settings(self) -> MigrationPlanSettings:
        return MigrationPlanSettings.of(self.view.plan.settings)

    @strawberry.field(description="The latest schedule's report; null before the first.")
    def solver(self) -> SolverReport | None:
        return _report(self.view.latest) if self.view.latest else None

    @strawberry.field(description="Every contract to move, by contract id.")
    def items(self) -> list[MigrationItem]:
        return plan_items(self.view)

    @strawberry.field(description="The phases holding cut-overs, in order.")
    def phases(self) -> list[MigrationPhase]:
        settings = self.view.plan.settings
        by_phase: dict[int, list[MigrationItem]] = {}
        for item in plan_items(self.view):
            if item.phase is not None:
                by_phase.setdefault(item.phase, []).append(item)
        return [
            MigrationPhase(
                index=p,
                label=phase_label(settings, p),
                starts_on=phase_start(settings, p),
                ends_on=phase_end(settings, p),
                items=by_phase[p],
            )
            for p in sorted(by_phase)
        ]

    @strawberry.field(description="Every version of the schedule, newest first.")
    async def versions(
        self, info: Info, first: Annotated[int, First100] = 10, after: After = None
    ) -> MigrationPlanVersionConnection:
        before = cursor_position("versions", after, INTEGER_MAX)  # versions are integers
        async with info.context.pool.acquire() as conn:
            page, total = await queries.version_page(
                conn, self.view.plan.plan_id, before, page_size(first, MAX_PAGE) + 1
            )
        edges = [
            MigrationPlanVersionEdge(cursor=position_cursor("versions", v.version), node=_report(v))
            for v in page
        ]
        shown = edges[: page_size(first, MAX_PAGE)]
        return MigrationPlanVersionConnection(
            edges=shown,
            page_info=PageInfo.of([e.cursor for e in shown], len(edges) > len(shown), after),
            total_count=total,
        )

    @strawberry.field(description="The plan as CSV (path on this API).")
    def csv_url(self) -> str:
        return f"/migration-plans/{self.view.plan.plan_id}.csv"

    @strawberry.field(description="The plan as a Gantt chart, SVG (path on this API).")
    def gantt_url(self) -> str:
        return f"/migration-plans/{self.view.plan.plan_id}.svg"


@strawberry.type(description="One plan of a page, with the cursor that marks its place.")
class MigrationPlanEdge:
    cursor: str = strawberry.field(description=CURSOR)
    node: MigrationPlan = strawberry.field(description="The plan.")


@strawberry.type(description="A page of migration plans, in id order.")
class MigrationPlanConnection:
    edges: list[MigrationPlanEdge] = strawberry.field(description=EDGES)
    page_info: PageInfo = strawberry.field(description=PAGE_INFO)
    total_count: int = strawberry.field(description="How many plans match, in all.")
