"""Migration plans no schedule fits (pure): the schedule says why, naming the constraints that
clash (capacity against deadlines, dependencies, lead times, blackouts, a dependency cycle),
and settings no plan can be made from are refused saying what is wrong."""

from __future__ import annotations

from typing import Any

import pytest

from services.migration.planning.model import (
    Blackout,
    PhaseCapacity,
    PlanItem,
    SchedulingProblem,
    SolverStatus,
)
from services.migration.planning.scheduling import solve
from tests.support.schedule_problems import FISCAL_YEAR_END, TODAY, D, item, plan


def infeasible(problem: SchedulingProblem) -> tuple[str, ...]:
    schedule = solve(problem)
    assert schedule.status is SolverStatus.INFEASIBLE
    assert schedule.assignments == ()
    return schedule.conflicts


def test_a_capacity_override_must_start_a_phase() -> None:
    misplaced = PhaseCapacity(D(2023, 4, 15), 1)
    with pytest.raises(ValueError, match="2023-04-15 is not the first day of a phase"):
        solve(plan(item("C-01", D(2023, 3, 31)), capacity_overrides=(misplaced,)))


def test_the_plan_deadline_binds_every_item() -> None:
    ends = D(2023, 3, 31)
    conflicts = infeasible(
        plan(item("C-01", ends), item("C-02", ends), capacity=1, deadline_on=D(2023, 4, 30))
    )
    assert "C-01 must cut over by 2023-04-30 (plan deadline)" in conflicts
    assert "C-02 must cut over by 2023-04-30 (plan deadline)" in conflicts


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
