"""Scheduling a 300-contract migration (a large city's whole portfolio with one vendor):
measured, not asserted; the schedule itself is checked by the independent verifier."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import time
from typing import Any

from services.events.contract import Criticality
from services.migration.planning.greedy import greedy_phases
from services.migration.planning.model import (
    CRITICALITY_WEIGHT,
    PlanItem,
    PlanSettings,
    SchedulingProblem,
    SolverStatus,
)
from services.migration.planning.phases import phase_start
from services.migration.planning.plan_constraints import compile_plan
from services.migration.planning.scheduling import solve
from tests.support.migration_verifier import violations
from tests.support.schedule_problems import city_portfolio


def test_schedule_300_contracts(benchmark: Any) -> None:
    problem = city_portfolio()
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
    problem = city_portfolio()
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


def test_300_contracts_two_a_month_against_the_schedule_by_rule() -> None:
    """A tester's plan: 300 contracts ending over three years, a third of each criticality,
    two cut-overs a month. Cut short at 10 s, the search alone stopped at exposure 45,118
    (gap 55 %), while the schedule by rule (greedy.py: the most critical first), the optimum,
    scores 35,300; started from it, the solve reports it at least. A 3 s limit here, to keep
    CI short: the figures, not a timed assert."""
    problem = _tester_plan(time_limit_seconds=3.0)
    plan = compile_plan(problem)
    started = time.perf_counter()
    by_rule = greedy_phases(plan)
    rule_seconds = time.perf_counter() - started
    assert by_rule is not None
    weight = {i.contract_id: CRITICALITY_WEIGHT[i.criticality] for i in problem.items}
    rule = sum(weight[cid] * phase for cid, phase in by_rule.items())
    started = time.perf_counter()
    schedule = solve(problem)
    seconds = time.perf_counter() - started
    assert violations(problem, schedule) == []
    assert schedule.objective is not None and schedule.objective <= rule
    inversions = _inversions(problem, schedule)
    print()
    print(f"schedule by rule: exposure {rule} in {rule_seconds * 1000:.1f} ms")
    print(
        f"solve ({problem.settings.time_limit_seconds:.0f} s limit): {schedule.status.value},"
        f" exposure {schedule.objective}, bound {schedule.best_bound}, gap {schedule.gap:.1%},"
        f" {seconds:.2f} s; priority inversions {inversions}"
    )


def _tester_plan(time_limit_seconds: float) -> SchedulingProblem:
    rng = random.Random(3)
    kinds = [Criticality.RESIDENT_FACING, Criticality.LEGALLY_MANDATED, Criticality.INTERNAL]
    items = []
    for n in range(300):
        year, month = divmod(n % 36, 12)
        ends_on = dt.date(2027 + year, month + 1, 1) + dt.timedelta(days=rng.randint(0, 27))
        items.append(PlanItem(f"k{n:03d}", f"system {n}", kinds[n % 3], ends_on))
    settings = PlanSettings(
        starts_on=dt.date(2026, 12, 1), capacity=2, time_limit_seconds=time_limit_seconds
    )
    return SchedulingProblem(settings, tuple(items), today=dt.date(2026, 12, 5))


def _inversions(problem: SchedulingProblem, schedule: Any) -> int:
    """Pairs where a less critical item, ready no later, cuts over before a more critical
    one that was ready too (both past their natural phase)."""
    weight = {i.contract_id: CRITICALITY_WEIGHT[i.criticality] for i in problem.items}
    rows = [(a.phase, a.natural_phase, weight[a.contract_id]) for a in schedule.assignments]
    return sum(
        1
        for phase, natural, w in rows
        for other_phase, other_natural, other_w in rows
        if w < other_w and phase < other_phase and natural >= other_natural
    )
