"""Migration scheduling as system owners rely on it: contracts move at their natural end unless
something binds, and then the schedule says what; when no schedule exists, it says why."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.events.contract import Criticality
from services.migration.planning.cutover_reasons import cutover_reasons
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
from services.migration.planning.plan_constraints import compile_plan
from services.migration.planning.scheduling import solve
from services.migration.planning.search_stop import SearchStop, SearchStopped
from tests.support.migration_verifier import violations

RESIDENT = Criticality.RESIDENT_FACING
LEGAL = Criticality.LEGALLY_MANDATED
INTERNAL = Criticality.INTERNAL
D = dt.date
FISCAL_YEAR_END = Blackout(D(2023, 3, 25), D(2023, 4, 10), "fiscal-year end")
TODAY = D(2023, 1, 10)
SCHEDULED = (SolverStatus.OPTIMAL, SolverStatus.FEASIBLE)


def plan(*items: PlanItem, **changes: Any) -> SchedulingProblem:
    """Monthly phases from 2023-01 (phase 3 is 2023-04), two cut-overs a phase, no early end."""
    base = PlanSettings(starts_on=D(2023, 1, 1), time_limit_seconds=5.0)
    return SchedulingProblem(dataclasses.replace(base, **changes), items, TODAY)


def item(cid: str, ends_on: dt.date, criticality: Criticality = INTERNAL, **kw: Any) -> PlanItem:
    return PlanItem(cid, kw.pop("title", f"System {cid}"), criticality, ends_on, **kw)


def solved(problem: SchedulingProblem) -> dict[str, Assignment]:
    """The schedule's assignments by contract, after the independent verifier accepted them."""
    schedule = solve(problem)
    assert schedule.status is SolverStatus.OPTIMAL, schedule.conflicts
    assert violations(problem, schedule) == []
    return {a.contract_id: a for a in schedule.assignments}


def infeasible(problem: SchedulingProblem) -> tuple[str, ...]:
    schedule = solve(problem)
    assert schedule.status is SolverStatus.INFEASIBLE
    assert schedule.assignments == ()
    return schedule.conflicts


def test_each_contract_cuts_over_the_phase_after_it_ends_when_nothing_binds() -> None:
    problem = plan(item("C-01", D(2023, 3, 31), RESIDENT), item("C-02", D(2023, 6, 14)))
    schedule = solve(problem)
    assert schedule.status is SolverStatus.OPTIMAL
    assert [(a.contract_id, a.phase, a.natural_phase, a.reasons) for a in schedule.assignments] == [
        ("C-01", 3, 3, ()),
        ("C-02", 5, 5, ()),
    ]
    assert (schedule.objective, schedule.best_bound, schedule.gap) == (3 * 3 + 5, 14, 0.0)
    assert violations(problem, schedule) == []


def test_a_contract_ended_before_the_plan_starts_moves_in_the_first_phase() -> None:
    assert solved(plan(item("C-01", D(2022, 11, 30))))["C-01"].phase == 0


def test_a_dependent_system_moves_in_a_strictly_later_phase() -> None:
    problem = plan(
        item("C-03", D(2023, 3, 31), title="Tax system"),
        item("C-02", D(2023, 3, 31), RESIDENT, depends_on=("C-03",)),
    )
    assigned = solved(problem)
    assert (assigned["C-03"].phase, assigned["C-02"].phase) == (3, 4)
    assert assigned["C-02"].reasons == (
        "must move after C-03 'Tax system', which cuts over in 2023-04",
    )


def test_capacity_moves_the_least_critical_systems_later() -> None:
    ends = D(2023, 3, 31)
    assigned = solved(
        plan(
            item("C-01", ends, RESIDENT), item("C-02", ends), item("C-03", ends, LEGAL), capacity=1
        )
    )
    assert [assigned[c].phase for c in ("C-01", "C-03", "C-02")] == [3, 4, 5]
    assert assigned["C-03"].reasons == ("2023-04 is full: 1 of 1 cut-over (C-01)",)
    assert assigned["C-02"].reasons == (
        "2023-04 is full: 1 of 1 cut-over (C-01)",
        "2023-05 is full: 1 of 1 cut-over (C-03)",
    )


def test_a_phase_without_capacity_takes_no_cut_over() -> None:
    closed = PhaseCapacity(D(2023, 4, 1), 0)
    assigned = solved(plan(item("C-01", D(2023, 3, 31)), capacity_overrides=(closed,)))
    assert (assigned["C-01"].phase, assigned["C-01"].reasons) == (
        4,
        ("2023-04 takes no cut-overs (capacity 0)",),
    )


def test_a_capacity_override_must_start_a_phase() -> None:
    misplaced = PhaseCapacity(D(2023, 4, 15), 1)
    with pytest.raises(ValueError, match="2023-04-15 is not the first day of a phase"):
        solve(plan(item("C-01", D(2023, 3, 31)), capacity_overrides=(misplaced,)))


def test_no_cut_over_in_a_phase_touching_a_blackout() -> None:
    assigned = solved(plan(item("C-01", D(2023, 2, 28)), blackouts=(FISCAL_YEAR_END,)))
    assert assigned["C-01"].phase == 4  # 2023-03 and 2023-04 both share days with it
    assert assigned["C-01"].reasons == (
        "2023-03 is in the blackout 'fiscal-year end' (2023-03-25–2023-04-10)",
        "2023-04 is in the blackout 'fiscal-year end' (2023-03-25–2023-04-10)",
    )


def test_lead_time_counts_from_today() -> None:
    assigned = solved(plan(item("C-01", D(2023, 1, 31), lead_time_months=3)))
    assert assigned["C-01"].phase == 3  # ready on 2023-04-10
    assert assigned["C-01"].reasons == ("lead time of 3 months: not ready before 2023-04",)


def test_earliest_date() -> None:
    assigned = solved(plan(item("C-01", D(2023, 1, 31), earliest_on=D(2023, 6, 1))))
    assert assigned["C-01"].phase == 5
    assert assigned["C-01"].reasons == ("not before 2023-06-01 (earliest date)",)


def test_a_deadline_outranks_criticality_for_the_last_free_place() -> None:
    ends = D(2023, 3, 31)
    assigned = solved(
        plan(
            item("C-01", ends, RESIDENT),
            item("C-02", ends, deadline_on=D(2023, 4, 30)),
            capacity=1,
        )
    )
    assert (assigned["C-02"].phase, assigned["C-01"].phase) == (3, 4)
    assert assigned["C-01"].reasons == ("2023-04 is full: 1 of 1 cut-over (C-02)",)


def test_the_plan_deadline_binds_every_item() -> None:
    ends = D(2023, 3, 31)
    conflicts = infeasible(
        plan(item("C-01", ends), item("C-02", ends), capacity=1, deadline_on=D(2023, 4, 30))
    )
    assert "C-01 must cut over by 2023-04-30 (plan deadline)" in conflicts
    assert "C-02 must cut over by 2023-04-30 (plan deadline)" in conflicts


def test_forbidden_early_cut_over_waits_for_the_natural_end() -> None:
    assigned = solved(plan(item("C-01", D(2023, 6, 30), RESIDENT)))
    assert (assigned["C-01"].phase, assigned["C-01"].reasons) == (6, ())


def test_penalised_early_cut_over_moves_critical_systems_only() -> None:
    """Exposure weighs 3 a phase for a resident-facing system, 1 for an internal one, against
    a penalty of 2 a phase early: only the resident-facing one gains by leaving early."""
    assigned = solved(
        plan(
            item("C-01", D(2023, 6, 30), RESIDENT, earliest_on=D(2023, 3, 1)),
            item("C-02", D(2023, 6, 30)),
            early_cutover=EarlyCutover.PENALISE,
        )
    )
    assert (assigned["C-01"].phase, assigned["C-02"].phase) == (2, 6)
    assert assigned["C-01"].reasons == (
        "before its natural end to reduce exposure (resident-facing): "
        "early cut-overs are penalised, not forbidden",
    )


def test_a_deadline_before_the_natural_end_pulls_an_item_earlier() -> None:
    assigned = solved(
        plan(
            item("C-01", D(2023, 6, 30), deadline_on=D(2023, 4, 30)),
            early_cutover=EarlyCutover.PENALISE,
        )
    )
    assert (assigned["C-01"].phase, assigned["C-01"].reasons) == (
        3,
        ("must cut over by 2023-04-30 (deadline)",),
    )


def test_an_early_dependent_pulls_its_dependency_earlier() -> None:
    assigned = solved(
        plan(
            item("C-01", D(2023, 6, 30)),
            item("C-02", D(2023, 6, 30), RESIDENT, depends_on=("C-01",), title="Portal"),
            early_cutover=EarlyCutover.PENALISE,
            early_penalty=1,
        )
    )
    assert (assigned["C-01"].phase, assigned["C-02"].phase) == (0, 1)
    assert assigned["C-01"].reasons == ("C-02 'Portal' depends on it and cuts over in 2023-02",)


def test_done_items_stay_put_take_capacity_and_satisfy_dependencies() -> None:
    assigned = solved(
        plan(
            item("C-01", D(2023, 3, 31), done_in_phase=3),
            item("C-02", D(2023, 3, 31)),
            item("C-03", D(2023, 1, 31), depends_on=("C-04",)),
            item("C-04", D(2023, 9, 30), title="Tax system", done_in_phase=1),
            capacity=1,
        )
    )
    assert [assigned[c].phase for c in ("C-01", "C-02", "C-03", "C-04")] == [3, 4, 2, 1]
    assert assigned["C-02"].reasons == ("2023-04 is full: 1 of 1 cut-over (C-01)",)
    assert assigned["C-03"].reasons == (
        "2023-02 is full: 1 of 1 cut-over (C-04)",
        "must move after C-04 'Tax system', which cut over in 2023-02 (done)",
    )
    assert assigned["C-04"].reasons == ("already cut over in 2023-02 (done)",)


def test_reasons_say_plainly_when_nothing_blocks_an_earlier_phase() -> None:
    compiled = compile_plan(plan(item("C-01", D(2023, 3, 31))))
    assert cutover_reasons(compiled, {"C-01": 4}) == {
        "C-01": ("nothing prevents 2023-04: the solver's choice, not a constraint",)
    }


def test_too_little_capacity_for_the_deadlines_names_the_constraints() -> None:
    ends, by = D(2023, 3, 31), D(2023, 4, 30)
    conflicts = infeasible(
        plan(
            item("C-01", ends, deadline_on=by),
            item("C-02", ends, deadline_on=by),
            item("C-03", ends),
            capacity=1,
        )
    )
    assert conflicts == (
        "capacity of 2023-04: 1 cut-over",
        "C-01 not before its natural end 2023-04 (no early termination)",
        "C-01 must cut over by 2023-04-30 (deadline)",
        "C-02 not before its natural end 2023-04 (no early termination)",
        "C-02 must cut over by 2023-04-30 (deadline)",
    )


def test_a_dependency_that_cannot_be_met_in_time_is_named() -> None:
    conflicts = infeasible(
        plan(
            item("C-01", D(2023, 3, 31)),
            item("C-02", D(2023, 1, 31), depends_on=("C-01",), deadline_on=D(2023, 4, 30)),
        )
    )
    assert set(conflicts) == {
        "C-01 not before its natural end 2023-04 (no early termination)",
        "C-02 must cut over by 2023-04-30 (deadline)",
        "C-02 must cut over after C-01 (dependency)",
    }


def test_lead_time_past_the_deadline_is_caught_before_solving() -> None:
    conflicts = infeasible(
        plan(item("C-01", D(2023, 1, 31), lead_time_months=5, deadline_on=D(2023, 4, 30)))
    )
    assert conflicts == (
        "C-01 not ready before 2023-06 (lead time of 5 months)",
        "C-01 must cut over by 2023-04-30 (deadline)",
    )


def test_every_phase_in_reach_blacked_out_is_caught_before_solving() -> None:
    conflicts = infeasible(
        plan(
            item("C-01", D(2023, 3, 31), deadline_on=D(2023, 4, 30)),
            blackouts=(FISCAL_YEAR_END,),
        )
    )
    assert conflicts == (
        "C-01 not before its natural end 2023-04 (no early termination)",
        "C-01 must cut over by 2023-04-30 (deadline)",
        "blackout 'fiscal-year end' (2023-03-25–2023-04-10)",
    )


def test_a_dependency_cycle_is_named() -> None:
    conflicts = infeasible(
        plan(
            item("C-01", D(2023, 3, 31), depends_on=("C-02",)),
            item("C-02", D(2023, 3, 31), depends_on=("C-03",)),
            item("C-03", D(2023, 3, 31), depends_on=("C-01",)),
        )
    )
    assert conflicts == (
        "dependency cycle: C-01 → C-02 → C-03 → C-01 (each must cut over after the next)",
    )


def test_an_unknown_dependency_is_refused() -> None:
    with pytest.raises(ValueError, match="C-02 depends on C-99, which is not in the plan"):
        solve(
            plan(item("C-01", D(2023, 3, 31)), item("C-02", D(2023, 3, 31), depends_on=("C-99",)))
        )


@pytest.mark.parametrize(
    ("changes", "items", "message"),
    [
        ({"capacity": 0}, (), "capacity must be at least 1"),
        ({}, (item("C-01", TODAY), item("C-01", TODAY)), "C-01 appears twice in the plan"),
        (
            {"blackouts": (Blackout(D(2023, 5, 1), D(2023, 4, 1), "typo"),)},
            (),
            "'typo' ends on 2023-04-01, before it starts on 2023-05-01",
        ),
    ],
)
def test_settings_no_plan_can_be_made_from_are_refused(
    changes: dict[str, Any], items: tuple[PlanItem, ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        solve(plan(*items, **changes))


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
