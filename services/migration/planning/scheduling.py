"""The phase each contract cuts over in, chosen by CP-SAT to shorten the time critical systems
stay with a suspended vendor. Pure: a problem in, a schedule out.

Constraint semantics (done items, horizon, capacity) are those of `plan_constraints`.
Dependencies are strict: an item cuts over in a later phase than everything it depends on.
The objective is Σ criticality weight × phase (exposure), plus, when early cut-overs are
penalised, the penalty × phases before the natural end. Everything is an integer.

Among schedules of the least exposure there are often many (two items of one criticality
swapped between two phases cost the same), and a re-plan must not move items nobody touched
from one of them to another: the people preparing a cut-over plan around its date. So a
re-plan keeps, among the best, as many items as it can where the previous version put them
(`previous`: each item's cut-over day then), a tie-break weighted below one unit of exposure:
exposure × (kept items + 1) − items kept in place.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from services.migration.planning.conflicts import (
    cycle_conflict,
    single_item_conflicts,
    smallest_conflict,
)
from services.migration.planning.cutover_reasons import cutover_reasons, done_reasons
from services.migration.planning.greedy import greedy_phases
from services.migration.planning.model import (
    CRITICALITY_WEIGHT,
    Assignment,
    EarlyCutover,
    Schedule,
    SchedulingProblem,
    SolverStatus,
)
from services.migration.planning.phases import phase_start
from services.migration.planning.plan_constraints import (
    Plan,
    Window,
    blackout_constraint,
    compile_plan,
    natural_phase,
)
from services.migration.planning.search_stop import SearchStop

# Fixed so that two runs on the same plan explore alike (ties may still fall either way).
RANDOM_SEED = 20220708
WORKERS = 2  # the machine's cores

_STATUS = {
    cp_model.OPTIMAL: SolverStatus.OPTIMAL,
    cp_model.FEASIBLE: SolverStatus.FEASIBLE,
    cp_model.INFEASIBLE: SolverStatus.INFEASIBLE,
    cp_model.UNKNOWN: SolverStatus.UNKNOWN,
}


@dataclass
class Built:
    """A CP-SAT model of a plan and the phase variable of each item still to plan. When named,
    every constraint a person could relax is switched on by a literal of its own."""

    model: cp_model.CpModel
    named: bool
    phases: dict[str, cp_model.IntVar] = field(default_factory=dict)
    literals: dict[str, cp_model.IntVar] = field(default_factory=dict)  # by constraint name
    # Item → phase → the Boolean of the item cutting over then.
    in_phase: dict[str, dict[int, cp_model.IntVar]] = field(default_factory=dict)

    def require(self, constraint: cp_model.Constraint, name: str) -> None:
        if not self.named:
            return
        literal = self.literals.get(name)  # one switch, however many constraints it spans
        if literal is None:
            literal = self.literals[name] = self.model.new_bool_var(name)
        constraint.only_enforce_if(literal)


def build_model(plan: Plan, named: bool, kept: Mapping[str, int] | None = None) -> Built:
    """One Boolean per item and phase it may take: an assignment model, whose linear relaxation
    bounds the objective closely enough to prove plans of hundreds of items optimal.

    Unnamed, it is the plan as it must hold (bounds and blackouts cut from the phases offered)
    and the exposure is minimised. Named, every phase up to the item's horizon is offered and
    each constraint is switchable, so that assumptions can single out a conflict; only
    feasibility is asked then. `kept`: the phase each item had in the previous version,
    kept among schedules of equal exposure (the module's docstring)."""
    model = cp_model.CpModel()
    built = Built(model, named)
    in_phase = built.in_phase
    for cid, window in plan.windows.items():
        offered = range(window.horizon + 1) if named else _open_phases(plan, window)
        at = {p: model.new_bool_var(f"{cid} in {p}") for p in offered}
        model.add_exactly_one(at.values())
        x = model.new_int_var_from_domain(cp_model.Domain.from_values(list(at)), cid)
        model.add(x == sum(p * b for p, b in at.items()))
        built.phases[cid], in_phase[cid] = x, at
    by_phase: dict[int, list[cp_model.IntVar]] = {}
    for at in in_phase.values():
        for phase, b in at.items():
            by_phase.setdefault(phase, []).append(b)
    for phase, members in sorted(by_phase.items()):
        if len(members) > plan.free(phase):
            built.require(
                model.add(sum(members) <= plan.free(phase)), plan.capacity_constraint(phase)
            )
    if named:
        _switchable_bounds(plan, built, in_phase)
    for cid, window in plan.windows.items():
        x = built.phases[cid]
        for dependency in window.item.depends_on:
            before = built.phases.get(dependency, plan.done.get(dependency))
            assert before is not None, "compile_plan refuses unknown dependencies"
            built.require(model.add(x >= before + 1), plan.dependency_constraint(cid, dependency))
    if not named:
        exposure = sum(
            _cost(plan, w, p) * b
            for cid, w in plan.windows.items()
            for p, b in in_phase[cid].items()
        )
        stays = [in_phase[cid][p] for cid, p in (kept or {}).items() if p in in_phase[cid]]
        model.minimize(_tie_scale(kept) * exposure - sum(stays))
    return built


def _tie_scale(kept: Mapping[str, int] | None) -> int:
    """What one unit of exposure weighs in the objective: more than every item kept."""
    return len(kept or {}) + 1


def _kept_phases(plan: Plan, previous: Mapping[str, dt.date]) -> dict[str, int]:
    """The phase of each item still to plan whose previous cut-over day starts one of the
    phases offered now (the plan's settings may have moved its phases since)."""
    by_start = {phase_start(plan.settings, p): p for p in range(plan.horizon + 1)}
    return {
        cid: by_start[day]
        for cid, day in sorted(previous.items())
        if cid in plan.windows and day in by_start
    }


def _open_phases(plan: Plan, window: Window) -> list[int]:
    return [
        p
        for p in range(window.lo, window.hi + 1)
        if plan.free(p) > 0 and p not in plan.blackouts_in
    ]


def _switchable_bounds(
    plan: Plan, built: Built, in_phase: Mapping[str, Mapping[int, cp_model.IntVar]]
) -> None:
    model = built.model
    for phase, blackouts in plan.blackouts_in.items():
        for at in in_phase.values():
            if phase in at:
                for blackout in blackouts:
                    built.require(model.add(at[phase] == 0), blackout_constraint(blackout))
    for cid, window in plan.windows.items():
        x = built.phases[cid]
        for bound in window.lower:
            built.require(model.add(x >= bound.phase), bound.constraint)
        if window.upper is not None and window.upper.phase < window.horizon:
            built.require(model.add(x <= window.upper.phase), window.upper.constraint)


def _cost(plan: Plan, window: Window, phase: int) -> int:
    """Exposure (criticality × phases still with the vendor), plus any early penalty."""
    cost = CRITICALITY_WEIGHT[window.item.criticality] * phase
    if plan.settings.early_cutover is EarlyCutover.PENALISE:
        cost += plan.settings.early_penalty * max(0, window.natural - phase)
    return cost


def solve(
    problem: SchedulingProblem,
    previous: Mapping[str, dt.date] | None = None,
    stop: SearchStop | None = None,
) -> Schedule:
    """The best schedule found within the plan's time limit, or why there is none;
    `previous`: each item's cut-over day in the version before, kept among the best; `stop`:
    ends the searches early from another thread (they raise SearchStopped once it has).

    Raises ValueError on input no plan can be made from (unknown dependency, misplaced
    capacity override)."""
    started = time.perf_counter()
    plan = compile_plan(problem)
    known = cycle_conflict(plan) or single_item_conflicts(plan)
    if known:
        return _infeasible(plan, known, started)
    kept = _kept_phases(plan, previous or {})
    built = build_model(plan, named=False, kept=kept)
    # A start by rule (greedy.py): the search improves on it, and nothing worse is reported.
    greedy = greedy_phases(plan)
    if greedy is not None:
        _hint(built, greedy)
    stop = stop or SearchStop()
    solver = _solver(plan.settings.time_limit_seconds)
    status = _STATUS.get(stop.solve(solver, built.model))
    if status is None:
        raise RuntimeError(f"CP-SAT refused the model: {solver.status_name()}")
    if status is SolverStatus.INFEASIBLE:
        named = build_model(plan, named=True)
        conflict = smallest_conflict(
            named.model, named.literals, plan.settings.time_limit_seconds, stop
        )
        return _infeasible(plan, conflict, started)
    phases = (
        {cid: solver.value(x) for cid, x in built.phases.items()}
        if status is not SolverStatus.UNKNOWN
        else None
    )
    if greedy is not None and (
        phases is None or _total(plan, greedy, kept) < _total(plan, phases, kept)
    ):
        # The search ended (its time limit) short of the rule's schedule: keep the better.
        # CP-SAT proved nothing about it, so it is feasible, with the search's bound.
        phases, status = greedy, SolverStatus.FEASIBLE
    if phases is None:
        return Schedule(
            SolverStatus.UNKNOWN,
            assignments=_assignments(plan, None),
            wall_seconds=time.perf_counter() - started,
        )
    # The exposure alone, as the schedule reports it: the tie-break is not a cost. The total
    # is exposure × scale − items kept (fewer than the scale), so exposure ≥ bound / scale.
    objective = sum(_cost(plan, plan.windows[cid], p) for cid, p in phases.items())
    scale = _tie_scale(kept)
    found = solver.best_objective_bound
    # Rounded up (an integer); at least each item's least cost in its window (the search,
    # cut short in its presolve, may have bounded nothing: inf).
    searched = math.ceil(found / scale - 1e-6) if math.isfinite(found) else 0
    bound = min(objective, max(searched, _least_exposure(plan)))
    if status is SolverStatus.OPTIMAL:
        bound = objective
    return Schedule(
        status,
        assignments=_assignments(plan, phases),
        objective=objective,
        best_bound=bound,
        gap=(objective - bound) / max(1, objective),
        wall_seconds=time.perf_counter() - started,
    )


def _hint(built: Built, phases: Mapping[str, int]) -> None:
    """Hands CP-SAT a complete schedule to start its search from."""
    for cid, at in built.in_phase.items():
        for phase, literal in at.items():
            built.model.add_hint(literal, phases[cid] == phase)
        built.model.add_hint(built.phases[cid], phases[cid])


def _least_exposure(plan: Plan) -> int:
    """A bound no schedule beats: every item in the cheapest phase of its window, as if
    capacity, blackouts and dependencies bound nothing."""
    return sum(
        min(_cost(plan, w, p) for p in range(w.lo, max(w.lo, w.hi) + 1))
        for w in plan.windows.values()
    )


def _total(plan: Plan, phases: Mapping[str, int], kept: Mapping[str, int]) -> int:
    """What the model minimises for a schedule: exposure × scale − items kept in place."""
    exposure = sum(_cost(plan, plan.windows[cid], p) for cid, p in phases.items())
    return _tie_scale(kept) * exposure - sum(phases.get(cid) == p for cid, p in kept.items())


def _solver(time_limit_seconds: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_seconds
    solver.parameters.num_workers = WORKERS
    solver.parameters.random_seed = RANDOM_SEED
    return solver


def _infeasible(plan: Plan, conflicts: tuple[str, ...], started: float) -> Schedule:
    return Schedule(
        SolverStatus.INFEASIBLE,
        assignments=_assignments(plan, None),
        conflicts=conflicts,
        wall_seconds=time.perf_counter() - started,
    )


def _assignments(plan: Plan, planned: Mapping[str, int] | None) -> tuple[Assignment, ...]:
    """Every item's phase, or, with nothing `planned` (no schedule was found), the done items'
    alone: their cut-overs are history, which a plan left without a schedule still holds."""
    phases = {**plan.done, **(planned or {})}
    reasons = cutover_reasons(plan, phases) if planned is not None else done_reasons(plan, phases)
    return tuple(
        Assignment(cid, phases[cid], natural_phase(plan.settings, item), reasons.get(cid, ()))
        for cid, item in sorted(plan.items.items())
        if cid in phases
    )
