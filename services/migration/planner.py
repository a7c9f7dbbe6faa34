"""The planner: schedules a plan whose inputs changed, outside the event transactions (a
large plan may take the solver's whole time limit), and records the new version with what
changed and why; migration.plan_scheduled leaves through the outbox. Which plans it solves
when, and under which locks, is planner_queue.py's."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Sequence

from services.events.base import TEXT_MAX_CHARS, cut
from services.events.catalog import new_event
from services.events.migration import MigrationPlanScheduled, ScheduledMigration
from services.events.migration import SolverStatus as EventSolverStatus
from services.migration.plan_opening import OUTBOX, SOURCE
from services.migration.planning.model import Schedule, SolverStatus
from services.migration.planning.outcome_words import has_schedule
from services.migration.planning.phases import phase_start
from services.migration.planning.plan_diff import plan_diff
from services.migration.planning.problem import build_problem, snapshot
from services.migration.planning.search_stop import SearchStop
from services.migration.storage import plan_repository
from services.migration.storage.plan_loading import load_items
from services.platform.clock import Clock
from services.platform.operations import metrics
from services.platform.postgres.database import Connection

# The causes named in a version's lines of what changed: sixty checklist updates between two
# passes would make one line longer than an event holds.
CAUSES_NAMED = 5
# How often the planner looks for plans to schedule: changes show in a plan within this.
PLANNER_SECONDS = 0.5
# How often a cancelled solve is told again to stop, until its thread ends.
STOP_AGAIN_SECONDS = 0.1


def scheduled_event(
    schedule: Schedule,
    plan_id: str,
    version: int,
    changes: tuple[str, ...],
    phase_starts: dict[int, dt.date],
) -> MigrationPlanScheduled:
    return MigrationPlanScheduled(
        plan_id=plan_id,
        version=version,
        solver_status=EventSolverStatus(schedule.status.value),
        gap=schedule.gap,
        # The schedule's phases: none without one (the done items' cut-overs it still holds
        # are in the versions before, and in the plan).
        phases=[
            ScheduledMigration(contract_id=a.contract_id, phase_start=phase_starts[a.phase])
            for a in (schedule.assignments if has_schedule(schedule) else ())
        ],
        changes=list(changes),
        # An item's reasons or a solver's conflicts can make a line longer than an event holds.
        conflicts=[cut(conflict, TEXT_MAX_CHARS) for conflict in schedule.conflicts],
    )


def causes_text(causes: Sequence[str]) -> str:
    """The causes of a new version, as its lines of what changed name them: the first few,
    then how many more."""
    named = "; ".join(causes[:CAUSES_NAMED])
    more = len(causes) - CAUSES_NAMED
    return named if more <= 0 else f"{named}; and {more} more"


async def replan(conn: Connection, plan_id: str, clock: Clock) -> bool:
    """Schedules the plan as it stands; False when it changed meanwhile (the next pass
    schedules it again). A withdrawn plan is scheduled no more, one withdrawn during its solve
    included: its version would schedule what its owner gave up."""
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        plan = await plan_repository.plan(conn, plan_id)
        if plan is None or plan.withdrawn_at is not None:
            return True
        items = await load_items(conn, plan)
        previous = await plan_repository.latest_version(conn, plan_id)
    problem = build_problem(plan, items, clock.today())
    # Imported when a plan is first scheduled: the solver library (OR-Tools, with pandas)
    # takes half a second to import, which every process and command that only names the
    # planner (every worker, `vendorwatch publish`) would otherwise pay at start.
    from services.migration.planning.scheduling import solve

    started = time.perf_counter()
    stop = SearchStop()
    solving = asyncio.ensure_future(
        asyncio.to_thread(solve, problem, _cut_over_days(previous), stop)
    )
    try:
        schedule = await asyncio.shield(solving)
    except ValueError as error:
        schedule = Schedule(status=SolverStatus.INFEASIBLE, conflicts=(str(error),))
    except asyncio.CancelledError:
        await _stopped(solving, stop)
        raise
    metrics.SOLVER_SECONDS.observe(time.perf_counter() - started)
    metrics.SOLVER_RUNS.labels(schedule.status.value).inc()
    version = previous.version + 1 if previous else 1
    new = snapshot(plan, items, problem, schedule, version)
    diff = plan_diff(previous.snapshot if previous else None, new, causes_text(plan.causes))
    changes = tuple(cut(line, TEXT_MAX_CHARS) for line in diff)
    async with conn.transaction():
        current = await plan_repository.plan(conn, plan_id, lock=True)
        if current is None or current.withdrawn_at is not None:
            return True
        if current.revision != plan.revision:
            return False
        await plan_repository.insert_version(conn, plan.revision, plan.causes, new, changes)
        starts = {a.phase: phase_start(plan.settings, a.phase) for a in schedule.assignments}
        payload = scheduled_event(schedule, plan_id, version, changes, starts)
        await OUTBOX.put(
            conn,
            [new_event(payload, vendor_id=plan.vendor_id, source=SOURCE, occurred_at=clock.now())],
        )
    return True


async def _stopped(solving: asyncio.Future[Schedule], stop: SearchStop) -> None:
    """Ends a cancelled solve's search and waits for its thread, a moment: left to run, it
    went on to the plan's time limit, holding up the process's shutdown that long."""
    while not solving.done():
        stop.stop()
        await asyncio.wait({solving}, timeout=STOP_AGAIN_SECONDS)
    if not solving.cancelled():
        solving.exception()  # retrieved: it ended because it was stopped


def _cut_over_days(previous: plan_repository.VersionRow | None) -> dict[str, dt.date]:
    """Each item's cut-over day in the version before (none before the first), which the
    solver keeps where it can among the best schedules."""
    if previous is None:
        return {}
    settings = previous.snapshot.problem.settings
    return {
        a.contract_id: phase_start(settings, a.phase)
        for a in previous.snapshot.schedule.assignments
    }
