"""Migration scheduling as system owners rely on it (pure): each contract cuts over at its
natural end unless something binds (dependencies, capacity, blackouts, lead time, earliest
dates, deadlines, early cut-overs forbidden or penalised, items already done), and then the
schedule says what, in the reasons of each item moved."""

from __future__ import annotations

from services.migration.planning.cutover_reasons import cutover_reasons
from services.migration.planning.model import Blackout, EarlyCutover, PhaseCapacity, SolverStatus
from services.migration.planning.plan_constraints import compile_plan
from services.migration.planning.scheduling import solve
from tests.support.migration_verifier import violations
from tests.support.schedule_problems import FISCAL_YEAR_END, LEGAL, RESIDENT, D, item, plan, solved


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


def test_no_cut_over_before_the_contract_starts() -> None:
    """A resident-facing contract awarded to start later: penalised early cut-overs moved it
    as early as today allowed, months before the vendor ran it (a tester's finding: 2027-01
    for a term from 2027-04-01). It goes no earlier than the phase its term begins in, and
    says so."""
    starts = item("C-01", D(2023, 11, 30), RESIDENT, starts_on=D(2023, 4, 1))
    assigned = solved(plan(starts, early_cutover=EarlyCutover.PENALISE))
    assert (assigned["C-01"].phase, assigned["C-01"].natural_phase) == (3, 11)
    assert assigned["C-01"].reasons == (
        "before its natural end to reduce exposure (resident-facing): "
        "early cut-overs are penalised, not forbidden",
    )
    # Where early termination is forbidden its natural end binds anyway, and a start in the
    # middle of a phase leaves that phase open.
    assert solved(plan(starts))["C-01"].phase == 11
    mid = item("C-01", D(2023, 11, 30), RESIDENT, starts_on=D(2023, 4, 20))
    assert solved(plan(mid, early_cutover=EarlyCutover.PENALISE))["C-01"].phase == 3


def test_an_item_moved_early_for_its_exposure_cites_nothing_it_passed_over() -> None:
    """A resident-facing system gains by every phase earlier: it goes as early as it may, so
    a full month and a blackout between it and its natural end decided nothing (a tester
    found them cited as why it was not later)."""
    assigned = solved(
        plan(
            item("C-01", D(2023, 3, 31)),
            item("C-09", D(2023, 6, 30), RESIDENT, earliest_on=D(2023, 3, 1)),
            capacity=1,
            blackouts=(Blackout(D(2023, 5, 1), D(2023, 5, 31), "tax-filing season"),),
            early_cutover=EarlyCutover.PENALISE,
        )
    )
    assert (assigned["C-09"].phase, assigned["C-01"].phase) == (2, 3)
    assert assigned["C-09"].reasons == (
        "before its natural end to reduce exposure (resident-facing): "
        "early cut-overs are penalised, not forbidden",
    )


def test_a_later_phase_is_explained_by_the_bound_that_reaches_it_alone() -> None:
    """An earliest date beyond a blackout: the date decided the phase, not the blackout."""
    assigned = solved(
        plan(
            item("C-01", D(2023, 2, 28), earliest_on=D(2023, 6, 1)),
            blackouts=(FISCAL_YEAR_END,),
        )
    )
    assert (assigned["C-01"].phase, assigned["C-01"].reasons) == (
        5,
        ("not before 2023-06-01 (earliest date)",),
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
