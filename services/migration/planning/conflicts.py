"""Why no schedule exists, as the few constraints that cannot all hold together, so that a
system owner knows what to relax: a deadline, a capacity, a blackout, a dependency."""

from __future__ import annotations

import time
from collections.abc import Mapping

from ortools.sat.python import cp_model

from services.migration.domain.dependencies import first_cycle, said
from services.migration.planning.plan_constraints import Plan, Window, blackout_constraint
from services.migration.planning.search_stop import SearchStop

# Cores from assumptions are only reliable with one worker (or-tools #3102, #3983). Presolve is
# off: it has returned a core literal that was no assumption (#5141), and it costs most of the
# time of these many small feasibility checks. Cores are verified by re-solving anyway.
_WORKERS = 1
_RANDOM_SEED = 20220708


def cycle_conflict(plan: Plan) -> tuple[str, ...]:
    """A dependency cycle among the items still to plan, named; empty when there is none."""
    still_to_plan = {cid: window.item.depends_on for cid, window in plan.windows.items()}
    cycle = first_cycle(still_to_plan)  # a dependency on a done item is history
    return (f"dependency cycle: {said(cycle)}",) if cycle else ()


def single_item_conflicts(plan: Plan) -> tuple[str, ...]:
    """Items that cannot cut over whatever the others do: a replacement barred with no end,
    bounds that cross, or every phase between them closed by blackouts or by zero capacity."""
    conflicts: list[str] = []
    for window in plan.windows.values():
        never = [window.never] if window.never is not None else []
        for name in never or _crossed(plan, window) or _closed(plan, window):
            if name not in conflicts:
                conflicts.append(name)
    return tuple(conflicts)


def _crossed(plan: Plan, window: Window) -> list[str]:
    if window.lo <= window.hi or window.upper is None:
        return []
    lower = [b.constraint for b in window.lower if b.phase > window.hi]
    return [*(lower or [_plan_start(plan)]), window.upper.constraint]


def _closed(plan: Plan, window: Window) -> list[str]:
    closing: list[str] = []
    for phase in range(window.lo, window.hi + 1):
        blackouts = plan.blackouts_in.get(phase, ())
        if not blackouts and plan.free(phase) > 0:
            return []
        closing += [blackout_constraint(b) for b in blackouts] or [plan.capacity_constraint(phase)]
    binding = [b.constraint for b in window.lower if b.phase == window.lo] or [_plan_start(plan)]
    upper = [window.upper.constraint] if window.upper is not None else []
    return [*binding, *upper, *closing]


def _plan_start(plan: Plan) -> str:
    """The lower bound every item has: nothing cuts over before the plan's first phase."""
    return f"the plan starts on {plan.settings.starts_on} ({plan.label(0)})"


def smallest_conflict(
    model: cp_model.CpModel,
    literals: Mapping[str, cp_model.IntVar],
    time_limit_seconds: float,
    stop: SearchStop,
) -> tuple[str, ...]:
    """The named constraints (each switched on by its literal) of an infeasible model that
    cannot all hold, shrunk until dropping any one would leave a schedule: a deletion filter
    over CP-SAT's first core.

    Within the time limit the set is minimal; past it, it is still a conflict, maybe not the
    smallest. Every set kept was proved infeasible, so no constraint is blamed wrongly."""
    deadline = time.monotonic() + time_limit_seconds
    everything = list(literals.items())
    status, core = _try(model, everything, deadline, stop)
    if status != cp_model.INFEASIBLE:
        return ("no schedule satisfies all the constraints together (no smaller set was found)",)
    candidate = [(name, lit) for name, lit in everything if lit.index in core]
    if not candidate or _try(model, candidate, deadline, stop)[0] != cp_model.INFEASIBLE:
        candidate = everything
    kept = 0
    while kept < len(candidate) and time.monotonic() < deadline:
        trial = candidate[:kept] + candidate[kept + 1 :]
        if _try(model, trial, deadline, stop)[0] == cp_model.INFEASIBLE:
            candidate = trial
        else:
            kept += 1
    return tuple(name for name, _ in candidate)


def _try(
    model: cp_model.CpModel,
    switched_on: list[tuple[str, cp_model.IntVar]],
    deadline: float,
    stop: SearchStop,
) -> tuple[cp_model.CpSolverStatus, set[int]]:
    """Solve with these constraints on (the others free); the core's indices if infeasible."""
    model.clear_assumptions()
    model.add_assumptions(lit for _, lit in switched_on)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, deadline - time.monotonic())
    solver.parameters.num_workers = _WORKERS
    solver.parameters.random_seed = _RANDOM_SEED
    solver.parameters.cp_model_presolve = False
    status = stop.solve(solver, model)
    if status != cp_model.INFEASIBLE:
        return status, set()
    return status, set(solver.sufficient_assumptions_for_infeasibility())
