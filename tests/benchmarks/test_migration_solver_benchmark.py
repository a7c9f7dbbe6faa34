"""Scheduling a 300-contract migration (a large city's whole portfolio with one vendor):
measured, not asserted; the schedule itself is checked by the independent verifier."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import time
from typing import Any

from services.events.contract import Criticality
from services.migration.planning.model import (
    Blackout,
    EarlyCutover,
    PhaseCapacity,
    PlanItem,
    PlanSettings,
    SchedulingProblem,
    SolverStatus,
)
from services.migration.planning.phases import phase_start
from services.migration.planning.scheduling import solve
from tests.support.migration_verifier import violations

ITEMS = 300
TIME_LIMIT_SECONDS = 20.0
START = dt.date(2022, 7, 1)


def _problem() -> SchedulingProblem:
    rng = random.Random(20220708)
    items: list[PlanItem] = []
    for n in range(ITEMS):
        # Contracts end over three years, bunched at fiscal-year ends as real ones are.
        year_end = rng.random() < 0.3
        ends_on = (
            dt.date(rng.choice([2023, 2024, 2025]), 3, 31)
            if year_end
            else START + dt.timedelta(days=rng.randint(0, 3 * 365))
        )
        # Systems depend on ones whose contracts end first, as a migration is usually laid out.
        earlier = [i.contract_id for i in items[-40:] if i.ends_on <= ends_on]
        depends_on = tuple(rng.sample(earlier, k=min(len(earlier), rng.choice([0, 0, 1, 2]))))
        items.append(
            PlanItem(
                f"C-{n:03d}",
                f"System {n}",
                rng.choice(list(Criticality)),
                ends_on,
                depends_on=depends_on,
                lead_time_months=rng.choice([0, 0, 0, 3, 6]),
                deadline_on=ends_on + dt.timedelta(days=365) if rng.random() < 0.1 else None,
            )
        )
    settings = PlanSettings(
        starts_on=START,
        capacity=12,
        capacity_overrides=(PhaseCapacity(dt.date(2023, 8, 1), 4),),
        blackouts=tuple(
            Blackout(dt.date(year, 3, 25), dt.date(year, 4, 10), "fiscal-year end")
            for year in (2023, 2024, 2025)
        ),
        early_cutover=EarlyCutover.FORBID,
        time_limit_seconds=TIME_LIMIT_SECONDS,
    )
    return SchedulingProblem(settings, tuple(items), today=dt.date(2022, 7, 9))


def test_schedule_300_contracts(benchmark: Any) -> None:
    problem = _problem()
    schedule = benchmark.pedantic(solve, args=(problem,), rounds=1, iterations=1)
    assert schedule.status in (SolverStatus.OPTIMAL, SolverStatus.FEASIBLE)
    assert schedule.gap is not None and schedule.gap >= 0
    assert violations(problem, schedule) == []
    benchmark.extra_info.update(
        status=schedule.status.value,
        objective=schedule.objective,
        gap=schedule.gap,
        moved=sum(a.phase != a.natural_phase for a in schedule.assignments),
    )


def test_re_plan_300_contracts_keeping_the_last_version() -> None:
    """A re-plan after one unrelated change (the last contract's deadline), with the version
    before kept among the best schedules, against the same re-plan solved afresh: the wall
    time of each and how many of the 299 untouched contracts each moves."""
    problem = _problem()
    first = solve(problem)
    assert first.status in (SolverStatus.OPTIMAL, SolverStatus.FEASIBLE)
    before = {a.contract_id: phase_start(problem.settings, a.phase) for a in first.assignments}
    last = problem.items[-1]
    changed = dataclasses.replace(last, deadline_on=last.ends_on + dt.timedelta(days=400))
    again = dataclasses.replace(problem, items=(*problem.items[:-1], changed))
    rows = []
    for label, previous in (("keeping the last version", before), ("afresh (baseline)", None)):
        started = time.perf_counter()
        schedule = solve(again, previous)
        seconds = time.perf_counter() - started
        assert violations(again, schedule) == []
        moved = sum(
            phase_start(again.settings, a.phase) != before[a.contract_id]
            for a in schedule.assignments
            if a.contract_id != last.contract_id
        )
        rows.append((label, seconds, schedule.status.value, schedule.objective, moved))
    print()
    print(f"{'re-plan of 300 contracts':30} {'seconds':>8} {'status':>9} {'exposure':>9} moved")
    for label, seconds, status, objective, moved in rows:
        print(f"{label:30} {seconds:8.2f} {status:>9} {objective:>9} {moved:>5}")
    print(f"ratio of wall times (keeping / afresh): {rows[0][1] / rows[1][1]:.2f}")
