"""The migration solver's runs as a whole (pure): every schedule found passes the independent
verifier (which catches a broken one), vendor B's ten contracts scheduled as its case says, a
re-plan keeping items where the last version put them among equal schedules, and a run
stopped before its search searching nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.events.contract import Criticality
from services.migration.planning.model import (
    Assignment,
    Blackout,
    EarlyCutover,
    PhaseCapacity,
    PlanItem,
    PlanSettings,
    Schedule,
    SchedulingProblem,
    SolverStatus,
)
from services.migration.planning.phases import phase_label, phase_start
from services.migration.planning.scheduling import solve
from services.migration.planning.search_stop import SearchStop, SearchStopped
from tests.support.migration_verifier import violations
from tests.support.schedule_problems import FISCAL_YEAR_END, LEGAL, RESIDENT, D, item, plan, solved

SCHEDULED = (SolverStatus.OPTIMAL, SolverStatus.FEASIBLE)


def test_the_verifier_catches_a_broken_schedule() -> None:
    problem = plan(
        item("C-01", D(2023, 2, 28)),
        item("C-02", D(2023, 5, 31), depends_on=("C-01",)),
        blackouts=(FISCAL_YEAR_END,),
        capacity=1,
    )
    good = solve(problem)
    assert violations(problem, good) == []
    broken = Schedule(
        SolverStatus.FEASIBLE,
        (Assignment("C-01", 3, 2, ("moved",)), Assignment("C-02", 3, 5, ("moved",))),
    )
    found = violations(problem, broken)
    assert "C-02 in 3 is not after its dependency C-01" in found
    assert "C-01 cuts over in 3, in the blackout 'fiscal-year end'" in found
    assert "C-02 cuts over in 3, before its natural phase 5" in found
    assert "phase 3: 2 planned + 0 done, capacity 1" in found
    assert violations(problem, dataclasses.replace(good, assignments=good.assignments[:1])) == [
        "C-02 is assigned 0 times"
    ]


@st.composite
def small_problems(draw: st.DrawFn) -> SchedulingProblem:
    """Up to six items over a year or so, every kind of constraint possible, no cycles."""
    start = D(2023, 1, 1)

    def day(low: int, high: int) -> dt.date:
        return start + dt.timedelta(days=draw(st.integers(low, high)))

    def maybe_day(low: int, high: int) -> dt.date | None:
        return day(low, high) if draw(st.booleans()) else None

    items: list[PlanItem] = []
    for n in range(draw(st.integers(1, 6))):
        earlier = [i.contract_id for i in items]
        items.append(
            PlanItem(
                f"C-{n:02d}",
                f"System {n}",
                draw(st.sampled_from(list(Criticality))),
                day(-60, 400),
                depends_on=tuple(draw(st.lists(st.sampled_from(earlier), unique=True, max_size=2)))
                if earlier
                else (),
                lead_time_months=draw(st.integers(0, 6)),
                earliest_on=maybe_day(-30, 300),
                deadline_on=maybe_day(0, 500) if draw(st.booleans()) else None,  # 1 in 4
                done_in_phase=draw(st.integers(-1, 6)) if draw(st.integers(0, 4)) == 0 else None,
            )
        )
    phase_months = draw(st.sampled_from([1, 1, 2]))
    overrides = tuple(
        PhaseCapacity(start.replace(month=m), draw(st.integers(0, 2)))
        for m in draw(st.lists(st.sampled_from([1, 3, 5, 7]), unique=True, max_size=2))
    )
    blackouts = tuple(
        Blackout(first, first + dt.timedelta(days=draw(st.integers(0, 45))), f"blackout {n}")
        for n, first in enumerate(
            draw(st.lists(st.builds(day, st.just(0), st.just(400)), max_size=2))
        )
    )
    chosen = PlanSettings(
        starts_on=start,
        phase_months=phase_months,
        capacity=draw(st.integers(1, 3)),
        capacity_overrides=overrides if phase_months == 1 else (),
        blackouts=blackouts,
        early_cutover=draw(st.sampled_from(list(EarlyCutover))),
        early_penalty=draw(st.integers(0, 4)),
        deadline_on=maybe_day(100, 600) if draw(st.booleans()) else None,
        time_limit_seconds=5.0,
    )
    return SchedulingProblem(chosen, tuple(items), day(-20, 60))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_every_schedule_found_passes_the_independent_verifier(problem: SchedulingProblem) -> None:
    schedule = solve(problem)
    assert schedule.status is not SolverStatus.UNKNOWN
    if schedule.status in SCHEDULED:
        assert violations(problem, schedule) == []
        assert schedule.gap is not None and schedule.gap >= 0
        return
    assert schedule.conflicts
    # The horizon leaves room for every item: only deadlines can make a plan impossible.
    deadlines = [i.deadline_on for i in problem.items if i.done_in_phase is None]
    assert problem.settings.deadline_on is not None or any(deadlines)


def test_the_case_of_vendor_b() -> None:
    """B's ten running contracts, suspended from 2022-07-09: each runs to term (no early
    termination), two cut-overs a month, none around the fiscal-year end."""
    problem = SchedulingProblem(
        PlanSettings(
            starts_on=D(2022, 7, 1),
            capacity=2,
            blackouts=(
                Blackout(D(2023, 3, 25), D(2023, 4, 10), "fiscal-year end"),
                Blackout(D(2024, 3, 25), D(2024, 4, 10), "fiscal-year end"),
            ),
            early_cutover=EarlyCutover.FORBID,
            time_limit_seconds=5.0,
        ),
        (
            item("B-01", D(2022, 9, 30), RESIDENT, title="Resident registry"),
            item("B-02", D(2023, 3, 31), LEGAL, title="Tax assessment"),
            item("B-03", D(2023, 3, 31), RESIDENT, title="Health insurance", depends_on=("B-01",)),
            item("B-04", D(2023, 3, 31), title="Payroll"),
            item("B-05", D(2023, 6, 30), RESIDENT, title="Child benefits", depends_on=("B-03",)),
            item("B-06", D(2023, 9, 30), title="Document archive", depends_on=("B-07",)),
            item("B-07", D(2023, 12, 31), LEGAL, title="Accounting"),
            item("B-08", D(2024, 3, 31), title="Intranet"),
            item("B-09", D(2024, 6, 30), RESIDENT, title="Welfare case files"),
            item("B-10", D(2024, 6, 30), title="Statistics", depends_on=("B-09",)),
        ),
        today=D(2022, 7, 9),
    )
    assigned = solved(problem)
    for a in assigned.values():
        assert (a.phase == a.natural_phase) == (a.reasons == ()), a
    moved = {
        cid: (phase_label(problem.settings, a.phase), a.reasons)
        for cid, a in assigned.items()
        if a.reasons
    }
    blackout = "2023-04 is in the blackout 'fiscal-year end' (2023-03-25–2023-04-10)"
    assert moved == {
        "B-02": ("2023-05", (blackout,)),
        "B-03": ("2023-05", (blackout,)),
        "B-04": ("2023-06", (blackout, "2023-05 is full: 2 of 2 cut-overs (B-02, B-03)")),
        "B-06": ("2024-02", ("must move after B-07 'Accounting', which cuts over in 2024-01",)),
        "B-08": (
            "2024-05",
            ("2024-04 is in the blackout 'fiscal-year end' (2024-03-25–2024-04-10)",),
        ),
        "B-10": (
            "2024-08",
            ("must move after B-09 'Welfare case files', which cuts over in 2024-07",),
        ),
    }


def test_a_re_plan_keeps_items_where_the_last_version_put_them_among_equal_schedules() -> None:
    """Four internal systems ending together, one cut-over a phase: any order costs the same.
    A re-plan after an unrelated change (a fifth system added, ending a year later) keeps
    each of the four where the version before put it, whichever order that was."""
    ends = D(2023, 3, 31)
    four = [item(f"C-0{n}", ends) for n in range(1, 5)]
    first = solve(plan(*four, capacity=1))
    assert first.status is SolverStatus.OPTIMAL and first.objective is not None
    phases = {a.contract_id: a.phase for a in first.assignments}
    later = item("C-05", D(2024, 3, 31))
    for order in (sorted(phases), sorted(phases, reverse=True)):
        # The version before: the four in this order from the first phase they may take.
        before = {cid: D(2023, 4 + n, 1) for n, cid in enumerate(order)}
        problem = plan(*four, later, capacity=1)
        again = solve(problem, before)
        assert again.status is SolverStatus.OPTIMAL
        assert again.objective == first.objective + 15  # the fifth's phase: exposure alone
        kept = {a.contract_id: phase_start(problem.settings, a.phase) for a in again.assignments}
        assert {cid: kept[cid] for cid in before} == before


def test_a_run_stopped_before_its_search_begins_searches_nothing() -> None:
    """A planner cancelled while its solve is still building the model: no search starts,
    for a time limit no one waits for (the search under way: the planner queue's test)."""
    stop = SearchStop()
    stop.stop()
    with pytest.raises(SearchStopped):
        solve(plan(item("C-01", D(2023, 3, 31))), stop=stop)
