"""The migration service's part of the GraphQL API: plans with their phases, items, blockers
and the solver's report; their versions; live progress."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncGenerator

import strawberry

from services.events.contract import Criticality as CriticalityModel
from services.events.migration import ChecklistCheck
from services.events.migration import MigrationItemStatus as ItemStatusModel
from services.events.migration import MigrationTrigger as TriggerModel
from services.events.migration import SolverStatus as SolverStatusModel
from services.migration import plan_repository, queries
from services.migration.graphql_progress import PROGRESS_EVENTS, MigrationProgress, progress_of
from services.migration.items import blockers, checklist
from services.migration.model import Assignment, PlanSettings
from services.migration.phases import phase_end, phase_label, phase_start
from services.migration.plan_repository import VersionRow
from services.migration.queries import PlanView
from services.platform.access import agencies_in_view, sees_agency
from services.platform.graphql.context import Info
from services.platform.graphql.errors import InvalidArgument
from services.platform.graphql.pagination import PageInfo, numeric_cursor, page_size

Criticality = strawberry.enum(CriticalityModel, name="Criticality")
MigrationItemStatus = strawberry.enum(ItemStatusModel, name="MigrationItemStatus")
MigrationTrigger = strawberry.enum(TriggerModel, name="MigrationTrigger")
SolverStatus = strawberry.enum(SolverStatusModel, name="SolverStatus")
MAX_PAGE = 100


@strawberry.type(description="One readiness check of an item.")
class ChecklistEntry:
    check: str = strawberry.field(
        description="replacement_chosen_and_eligible, " + ", ".join(c.value for c in ChecklistCheck)
    )
    passed: bool


@strawberry.type(description="Days on which nothing may cut over.")
class BlackoutWindow:
    starts_on: dt.date
    ends_on: dt.date
    reason: str


@strawberry.type(description="How the plan is scheduled.")
class MigrationPlanSettings:
    starts_on: dt.date
    phase_months: int
    capacity: int
    blackouts: list[BlackoutWindow]
    early_cutover: str = strawberry.field(description="forbid or penalise")
    early_penalty: int
    deadline_on: dt.date | None
    time_limit_seconds: float

    @classmethod
    def of(cls, s: PlanSettings) -> MigrationPlanSettings:
        return cls(
            starts_on=s.starts_on,
            phase_months=s.phase_months,
            capacity=s.capacity,
            blackouts=[
                BlackoutWindow(starts_on=b.starts_on, ends_on=b.ends_on, reason=b.reason)
                for b in s.blackouts
            ],
            early_cutover=s.early_cutover.value,
            early_penalty=s.early_penalty,
            deadline_on=s.deadline_on,
            time_limit_seconds=s.time_limit_seconds,
        )


@strawberry.type(description="What the solver reported for the plan's latest version.")
class SolverReport:
    version: int
    status: SolverStatus  # type: ignore[valid-type]
    gap: float | None = strawberry.field(description="Relative gap to the best bound; 0 optimal.")
    objective: int | None
    best_bound: int | None
    wall_seconds: float
    conflicts: list[str] = strawberry.field(description="Why no schedule exists, if none does.")
    changes: list[str] = strawberry.field(description="What changed from the version before.")
    causes: list[str] = strawberry.field(description="The events that caused this version.")
    created_at: dt.datetime


@strawberry.type(description="One contract (system) to move away from the vendor.")
class MigrationItem:
    contract_id: strawberry.ID
    title: str
    criticality: Criticality  # type: ignore[valid-type]
    ends_on: dt.date = strawberry.field(description="Last day of the contract: natural end.")
    via_subcontract_id: str | None = strawberry.field(
        description="Set when the vendor works on this contract as a subcontractor."
    )
    depends_on: list[strawberry.ID]
    lead_time_months: int
    earliest_on: dt.date | None
    deadline_on: dt.date | None
    replacement_vendor_id: strawberry.ID | None
    replacement_chosen_on: dt.date | None
    replacement_problem: str | None = strawberry.field(
        description="Why the chosen replacement may not take over (it is not eligible)."
    )
    checklist: list[ChecklistEntry]
    blockers: list[str] = strawberry.field(description="What still stands before cut-over.")
    status: MigrationItemStatus  # type: ignore[valid-type]
    status_on: dt.date | None
    status_note: str | None
    phase: int | None = strawberry.field(description="Cut-over phase in the latest schedule.")
    phase_label: str | None
    natural_phase_label: str | None
    reasons: list[str] = strawberry.field(description="Why it is not cut over at its end.")


@strawberry.type(description="One phase of the plan and the items cutting over in it.")
class MigrationPhase:
    index: int
    label: str
    starts_on: dt.date
    ends_on: dt.date
    items: list[MigrationItem]


@strawberry.type(description="A version of the plan's schedule, newest first.")
class MigrationPlanVersionEdge:
    cursor: str
    node: SolverReport


@strawberry.type
class MigrationPlanVersionConnection:
    edges: list[MigrationPlanVersionEdge]
    page_info: PageInfo
    total_count: int


def _report(version: VersionRow) -> SolverReport:
    s = version.snapshot.schedule
    return SolverReport(
        version=version.version,
        status=s.status,
        gap=s.gap,
        objective=s.objective,
        best_bound=s.best_bound,
        wall_seconds=s.wall_seconds,
        conflicts=list(s.conflicts),
        changes=list(version.changes),
        causes=list(version.causes),
        created_at=version.created_at,
    )


def _items(view: PlanView) -> list[MigrationItem]:
    settings = view.plan.settings
    placed: dict[str, Assignment] = {}
    if view.latest is not None:
        placed = {a.contract_id: a for a in view.latest.snapshot.schedule.assignments}
    found = []
    for contract_id, item in sorted(view.items.items()):
        at = placed.get(contract_id)
        found.append(
            MigrationItem(
                contract_id=strawberry.ID(contract_id),
                title=item.title,
                criticality=item.criticality,
                ends_on=item.ends_on,
                via_subcontract_id=item.via_subcontract_id,
                depends_on=[strawberry.ID(d) for d in item.depends_on],
                lead_time_months=item.lead_time_months,
                earliest_on=item.earliest_on,
                deadline_on=item.deadline_on,
                replacement_vendor_id=(
                    strawberry.ID(item.replacement_vendor_id)
                    if item.replacement_vendor_id
                    else None
                ),
                replacement_chosen_on=item.replacement_chosen_on,
                replacement_problem=item.replacement_problem,
                checklist=[ChecklistEntry(check=k, passed=v) for k, v in checklist(item).items()],
                blockers=list(blockers(item)),
                status=item.status,
                status_on=item.status_on,
                status_note=item.status_note,
                phase=at.phase if at else None,
                phase_label=phase_label(settings, at.phase) if at else None,
                natural_phase_label=phase_label(settings, at.natural_phase) if at else None,
                reasons=list(at.reasons) if at else [],
            )
        )
    return found


@strawberry.type(description="A plan to move one agency's contracts away from a vendor.")
class MigrationPlan:
    view: strawberry.Private[PlanView]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.view.plan.plan_id)

    @strawberry.field
    def vendor_id(self) -> strawberry.ID:
        return strawberry.ID(self.view.plan.vendor_id)

    @strawberry.field
    def agency(self) -> str:
        return self.view.plan.agency

    @strawberry.field
    def trigger(self) -> MigrationTrigger:  # type: ignore[valid-type]
        return self.view.plan.trigger

    @strawberry.field(description="Why the plan exists (the sanction, or the owner's reason).")
    def reason(self) -> str:
        return self.view.plan.reason

    @strawberry.field
    def created_on(self) -> dt.date:
        return self.view.plan.created_on

    @strawberry.field(description="Whether the vendor may bid again (the sanction ended).")
    def vendor_eligible(self) -> bool:
        return self.view.plan.vendor_eligible

    @strawberry.field(description="False for the moment between a change and its re-plan.")
    def up_to_date(self) -> bool:
        return self.view.plan.planned_revision == self.view.plan.revision

    @strawberry.field
    def settings(self) -> MigrationPlanSettings:
        return MigrationPlanSettings.of(self.view.plan.settings)

    @strawberry.field(description="The latest schedule's report; null before the first.")
    def solver(self) -> SolverReport | None:
        return _report(self.view.latest) if self.view.latest else None

    @strawberry.field
    def items(self) -> list[MigrationItem]:
        return _items(self.view)

    @strawberry.field(description="The phases holding cut-overs, in order.")
    def phases(self) -> list[MigrationPhase]:
        settings = self.view.plan.settings
        by_phase: dict[int, list[MigrationItem]] = {}
        for item in _items(self.view):
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
        self, info: Info, first: int = 10, after: str | None = None
    ) -> MigrationPlanVersionConnection:
        before = numeric_cursor(after)
        async with info.context.pool.acquire() as conn:
            page, total = await queries.version_page(
                conn, self.view.plan.plan_id, before, page_size(first, MAX_PAGE) + 1
            )
        edges = [MigrationPlanVersionEdge(cursor=str(v.version), node=_report(v)) for v in page]
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


@strawberry.type
class MigrationPlanEdge:
    cursor: str
    node: MigrationPlan


@strawberry.type
class MigrationPlanConnection:
    edges: list[MigrationPlanEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type
class MigrationQuery:
    @strawberry.field(description="Plans, by vendor and/or agency, in id order.")
    async def migration_plans(
        self,
        info: Info,
        vendor_id: strawberry.ID | None = None,
        agency: str | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> MigrationPlanConnection:
        limit = page_size(first, MAX_PAGE)
        agencies = [agency] if agency is not None else None
        in_view = agencies_in_view(info.context.principal)
        if in_view is not None:
            # A system owner sees its own agencies' plans only.
            agencies = [a for a in (agencies or in_view) if a in in_view]
        async with info.context.pool.acquire() as conn:
            ids, total = await queries.plan_page(
                conn, str(vendor_id) if vendor_id else None, agencies, after, limit + 1
            )
            views = await queries.plan_views(conn, ids[:limit])
        edges = [
            MigrationPlanEdge(cursor=v.plan.plan_id, node=MigrationPlan(view=v)) for v in views
        ]
        return MigrationPlanConnection(
            edges=edges,
            page_info=PageInfo.of([e.cursor for e in edges], len(ids) > limit, after),
            total_count=total,
        )

    @strawberry.field(
        description="One plan with its phases, items, blockers and solver report; null when"
        " there is none (or it is another agency's, for a system owner)."
    )
    async def migration_plan(self, info: Info, id: strawberry.ID) -> MigrationPlan | None:
        async with info.context.pool.acquire() as conn:
            view = await queries.plan_view(conn, str(id))
        if view is None or not sees_agency(info.context.principal, view.plan.agency):
            return None
        return MigrationPlan(view=view)


@strawberry.type
class MigrationSubscription:
    @strawberry.subscription(
        description="A plan's progress as it happens: new schedule versions (with what changed"
        " and why) and items' milestones, checks and replacements."
    )
    async def migration_progress(
        self, info: Info, plan_id: strawberry.ID
    ) -> AsyncGenerator[MigrationProgress, None]:
        if agencies_in_view(info.context.principal) is not None:
            # A system owner follows only its own agencies' plans, which must exist.
            async with info.context.pool.acquire() as conn:
                plan = await plan_repository.plan(conn, str(plan_id))
            if plan is None or not sees_agency(info.context.principal, plan.agency):
                raise InvalidArgument(f"planId: no plan {plan_id!r} of your agencies")
        broadcaster = info.context.broadcaster
        async with broadcaster.subscribe(PROGRESS_EVENTS) as queue:
            while True:
                progress = broadcaster.shaped(await queue.get(), progress_of)
                if progress.plan_id == str(plan_id):
                    yield progress
