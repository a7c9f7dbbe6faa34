"""A scheduling problem read once, in phase terms: the bounds, capacities and blackouts that the
solver, the reasons and the conflicts all share, so that they never disagree about what binds.

Semantics chosen here (the solver and its reasons follow them):
- An item's natural phase holds the day after its contract ends (the replacement takes over
  then), never before phase 0. Items still to plan cut over in phase 0 or later. Where early
  termination is forbidden, none is placed before its natural phase, and its "done" is taken
  from that day on, not from the phase's first (domain/cutover_order.py).
- No item cuts over before the phase holding its contract's first day (a contract awarded to
  start later): the replacement takes over what the vendor runs. A lower bound like an
  earliest date, binding only where early cut-overs are penalised (the natural phase is later).
- An item whose chosen replacement is barred at the plan's agency from its contract (a
  sanction in force or one recorded to come, `model.ReplacementBar`) cuts over no earlier than
  the phase holding the day after the last of those bars ends: a lower bound like an earliest
  date. With no end, no phase may take it, and no schedule exists until another replacement
  is chosen (`Window.never`, a conflict of its own).
- Done items are facts, not constraints: fixed at `done_in_phase`, they satisfy dependencies on
  them and take capacity of their phase when it is phase 0 or later; they never make a plan
  infeasible themselves (a phase they overfill simply has no room left, and each of them says
  so in its reasons: cutover_reasons._over_capacity). Their own
  dependencies, deadlines and blackouts are history and are not checked.
- Each item's horizon (the last phase it may take, deadlines aside) cuts off no optimal
  schedule: so none is lost and, without deadlines, a schedule always exists (capacity is at
  least 1). In an optimal schedule every phase from an item's base (the highest of its natural
  phase, its lower bounds and the phase after each done item it depends on, over the item and
  everything it depends on) up to its own is closed (blacked out, no capacity), full, or holds
  one of those it depends on; else moving it there would lower the objective. So the horizon is
  the base + the number of items it depends on, directly or not + the most phases the other
  items could fill (least room first) + the number of closed phases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from services.events.contract import Criticality
from services.migration.planning.model import (
    Blackout,
    EarlyCutover,
    PlanItem,
    PlanSettings,
    SchedulingProblem,
)
from services.migration.planning.phases import phase_label, phase_of, phase_start

CRITICALITY_LABEL: Mapping[Criticality, str] = {
    Criticality.RESIDENT_FACING: "resident-facing",
    Criticality.LEGALLY_MANDATED: "legally mandated",
    Criticality.INTERNAL: "internal",
}


@dataclass(frozen=True)
class Bound:
    """One lower or upper bound on an item's phase, named both ways people read it."""

    phase: int
    constraint: str  # in a conflict: "C-02 must cut over by 2023-04-30 (deadline)"
    reason: str  # on the item itself: "must cut over by 2023-04-30 (deadline)"


@dataclass(frozen=True)
class Window:
    """The phases an item still to plan may take, before capacity, blackouts and dependencies."""

    item: PlanItem
    natural: int
    lower: tuple[Bound, ...]  # only bounds above phase 0, which holds anyway
    upper: Bound | None  # the tightest deadline, if any
    lo: int
    hi: int
    horizon: int  # the last phase worth considering, deadlines aside
    # What no phase can satisfy (its replacement barred with no end), named as a conflict.
    never: str | None = None


@dataclass(frozen=True)
class Plan:
    problem: SchedulingProblem
    horizon: int
    items: Mapping[str, PlanItem]
    windows: Mapping[str, Window]  # items still to plan, in the problem's order
    done: Mapping[str, int]  # done items' phases
    capacities: Mapping[int, int]  # configured capacity of the overridden phases
    done_in: Mapping[int, tuple[str, ...]]  # phase → done items taking its capacity
    blackouts_in: Mapping[int, tuple[Blackout, ...]]  # phase in [0, horizon] → its blackouts

    @property
    def settings(self) -> PlanSettings:
        return self.problem.settings

    def label(self, phase: int) -> str:
        return phase_label(self.settings, phase)

    def capacity(self, phase: int) -> int:
        return self.capacities.get(phase, self.settings.capacity)

    def free(self, phase: int) -> int:
        """How many items still to plan may cut over in the phase."""
        return _free(self.settings, self.capacities, self.done_in, phase)

    def natural(self, contract_id: str) -> int:
        return natural_phase(self.settings, self.items[contract_id])

    def capacity_constraint(self, phase: int) -> str:
        capacity = self.capacity(phase)
        name = f"capacity of {self.label(phase)}: {capacity} {_cutovers(capacity)}"
        done = self.done_in.get(phase, ())
        if done:
            name += f", {len(done)} taken by {', '.join(done)} (done)"
        return name

    def dependency_constraint(self, contract_id: str, dependency: str) -> str:
        if dependency in self.done:
            done = self.label(self.done[dependency])
            return f"{contract_id} must cut over after {dependency} (done in {done})"
        return f"{contract_id} must cut over after {dependency} (dependency)"


def natural_phase(settings: PlanSettings, item: PlanItem) -> int:
    """The phase holding the day the replacement takes over (the day after the contract ends)."""
    return natural_phase_of(settings, item.ends_on)


def natural_phase_of(settings: PlanSettings, ends_on: dt.date) -> int:
    """`natural_phase` of a contract ending on `ends_on`: known without a schedule."""
    return max(0, phase_of(settings, ends_on + dt.timedelta(days=1)))


def blackout_constraint(blackout: Blackout) -> str:
    return f"blackout '{blackout.reason}' ({blackout.starts_on}–{blackout.ends_on})"


def _cutovers(count: int) -> str:
    return "cut-over" if count == 1 else "cut-overs"


def compile_plan(problem: SchedulingProblem) -> Plan:
    """The problem in phase terms. Raises ValueError on input no plan can be made from."""
    settings = problem.settings
    items = _items_by_id(problem.items)
    if settings.early_penalty < 0:
        raise ValueError("early_penalty must not be negative")
    capacities = _capacities(settings)
    done = {i.contract_id: i.done_in_phase for i in problem.items if i.done_in_phase is not None}
    done_in: dict[int, list[str]] = {}
    for contract_id, phase in sorted(done.items()):
        if phase >= 0:
            done_in.setdefault(phase, []).append(contract_id)
    special = {p: _free(settings, capacities, done_in, p) for p in {*capacities, *done_in}}
    blackout_phases = _blackout_phases(settings)
    bounded = {
        item.contract_id: (item, natural_phase(settings, item), _lower(problem, item))
        for item in problem.items
        if item.done_in_phase is None
    }
    bases = {
        cid: max(
            [
                natural,
                *(b.phase for b in lower),
                *(done[d] + 1 for d in item.depends_on if d in done),
            ]
        )
        for cid, (item, natural, lower) in bounded.items()
    }
    depends = {
        cid: [d for d in item.depends_on if d in bounded] for cid, (item, _, _) in bounded.items()
    }
    horizons = _horizons(settings, bases, depends, special, set(blackout_phases))
    windows: dict[str, Window] = {}
    for cid, (item, natural, lower) in bounded.items():
        upper = _upper(settings, item)
        lo = max([0, *(b.phase for b in lower)])
        hi = horizons[cid] if upper is None else min(upper.phase, horizons[cid])
        windows[cid] = Window(
            item, natural, lower, upper, lo, hi, horizons[cid], _barred_for_good(item)
        )
    horizon = max([0, *horizons.values()])
    return Plan(
        problem,
        horizon,
        items,
        windows,
        done,
        capacities,
        {p: tuple(ids) for p, ids in done_in.items()},
        {p: tuple(b) for p, b in sorted(blackout_phases.items()) if p <= horizon},
    )


def _horizons(
    settings: PlanSettings,
    bases: Mapping[str, int],
    depends: Mapping[str, Sequence[str]],
    special: Mapping[int, int],
    blacked_out: set[int],
) -> dict[str, int]:
    """Each item's last useful phase: no optimal schedule puts it later (see the module doc)."""
    closed = len(blacked_out | {p for p, free in special.items() if free == 0})
    full = _most_full_phases(
        settings.capacity, [f for f in special.values() if f > 0], len(bases) - 1
    )
    horizons: dict[str, int] = {}
    for cid, base in bases.items():
        ancestors = _ancestors(cid, depends)
        reach = max([base, *(bases[a] for a in ancestors)])
        horizons[cid] = reach + len(ancestors) + full + closed
    return horizons


def _ancestors(cid: str, depends: Mapping[str, Sequence[str]]) -> set[str]:
    """Every item `cid` depends on, directly or not (cycles are reported elsewhere)."""
    found: set[str] = set()
    todo = list(depends[cid])
    while todo:
        dependency = todo.pop()
        if dependency not in found:
            found.add(dependency)
            todo += depends[dependency]
    found.discard(cid)
    return found


def _most_full_phases(default: int, special: list[int], items: int) -> int:
    """How many phases `items` items could fill at most: the phases with least room first."""
    count = 0
    for free in sorted(special):
        if default < free:
            break
        if free > items:
            return count
        items -= free
        count += 1
    return count + max(0, items) // default  # the default capacity is at least 1


def _free(
    settings: PlanSettings,
    capacities: Mapping[int, int],
    done_in: Mapping[int, Sequence[str]],
    phase: int,
) -> int:
    return max(0, capacities.get(phase, settings.capacity) - len(done_in.get(phase, ())))


def _items_by_id(items: tuple[PlanItem, ...]) -> dict[str, PlanItem]:
    by_id: dict[str, PlanItem] = {}
    for item in items:
        if item.contract_id in by_id:
            raise ValueError(f"items: {item.contract_id} appears twice in the plan")
        if item.lead_time_months < 0:
            raise ValueError(f"{item.contract_id}: lead_time_months must not be negative")
        by_id[item.contract_id] = item
    for item in items:
        for dependency in item.depends_on:
            if dependency not in by_id:
                raise ValueError(
                    f"{item.contract_id} depends on {dependency}, which is not in the plan"
                )
    return by_id


def _capacities(settings: PlanSettings) -> dict[int, int]:
    if settings.phase_months < 1:
        raise ValueError("phase_months must be at least 1")
    if settings.capacity < 1:
        raise ValueError("capacity must be at least 1 (an override of 0 closes a single phase)")
    capacities: dict[int, int] = {}
    for override in settings.capacity_overrides:
        phase = phase_of(settings, override.phase_start)
        if phase < 0 or phase_start(settings, phase) != override.phase_start:
            raise ValueError(
                f"capacity_overrides: {override.phase_start} is not the first day of a phase "
                f"(phases of {settings.phase_months} month(s) from {settings.starts_on})"
            )
        if phase in capacities:
            raise ValueError(f"capacity_overrides: {override.phase_start} is overridden twice")
        if override.capacity < 0:
            raise ValueError(f"capacity_overrides: {override.phase_start} has a negative capacity")
        capacities[phase] = override.capacity
    return capacities


def _blackout_phases(settings: PlanSettings) -> dict[int, list[Blackout]]:
    """Phase 0 or later → the blackouts sharing at least one day with it."""
    phases: dict[int, list[Blackout]] = {}
    for blackout in settings.blackouts:
        if blackout.ends_on < blackout.starts_on:
            raise ValueError(
                f"blackouts: '{blackout.reason}' ends on {blackout.ends_on}, "
                f"before it starts on {blackout.starts_on}"
            )
        first = max(0, phase_of(settings, blackout.starts_on))
        for phase in range(first, phase_of(settings, blackout.ends_on) + 1):
            phases.setdefault(phase, []).append(blackout)
    return phases


def _lower(problem: SchedulingProblem, item: PlanItem) -> tuple[Bound, ...]:
    settings, cid = problem.settings, item.contract_id
    bounds: list[Bound] = []
    if item.starts_on is not None:
        # The replacement takes over a contract the vendor runs: none before its term begins
        # (penalised early cut-overs put one starting in April in January).
        started = phase_of(settings, item.starts_on)
        reason = (
            f"its contract starts on {item.starts_on}: not before {phase_label(settings, started)}"
        )
        bounds.append(Bound(started, f"{cid} not before {item.starts_on} (contract start)", reason))
    if item.earliest_on is not None:
        day = item.earliest_on
        reason = f"not before {day} (earliest date)"
        bounds.append(Bound(phase_of(settings, day), f"{cid} {reason}", reason))
    # Phases already over cannot be planned any more.
    current = phase_of(settings, problem.today)
    passed = f"not before {phase_label(settings, current)}: earlier phases have passed"
    bounds.append(Bound(current, f"{cid} {passed} (planned on {problem.today})", passed))
    if item.lead_time_months > 0:
        months = item.lead_time_months
        since = item.lead_time_from or problem.today
        phase = phase_of(settings, since + relativedelta(months=months))
        lead = f"lead time of {months} month{'s' if months != 1 else ''}"
        ready = f"not ready before {phase_label(settings, phase)}"
        bounds.append(Bound(phase, f"{cid} {ready} ({lead})", f"{lead}: {ready}"))
    bar = item.replacement_bar
    if bar is not None and bar.last_day is not None:
        phase = phase_of(settings, bar.last_day + dt.timedelta(days=1))
        barred = f"replacement {bar.vendor_id} barred here until {bar.last_day}"
        after = f"not before {phase_label(settings, phase)}"
        bounds.append(Bound(phase, f"{cid} {after} ({barred})", f"{barred}: {after}"))
    natural = natural_phase(settings, item)
    if settings.early_cutover is EarlyCutover.FORBID:
        end = f"not before its natural end {phase_label(settings, natural)}"
        bounds.append(
            Bound(
                natural,
                f"{cid} {end} (no early termination)",
                f"{end}: early termination is forbidden",
            )
        )
    return tuple(b for b in bounds if b.phase > 0)


def _barred_for_good(item: PlanItem) -> str | None:
    """Why no phase may take the item: its replacement is barred here with no end (None: it
    is not). Not a bound: there is no phase to put it at; its owner chooses another."""
    bar = item.replacement_bar
    if bar is None or bar.last_day is not None:
        return None
    return (
        f"{item.contract_id}'s replacement {bar.vendor_id} is barred here with no end:"
        " choose another replacement"
    )


def _upper(settings: PlanSettings, item: PlanItem) -> Bound | None:
    candidates: list[Bound] = []
    for day, kind in ((item.deadline_on, "deadline"), (settings.deadline_on, "plan deadline")):
        if day is not None:
            reason = f"must cut over by {day} ({kind})"
            candidates.append(
                Bound(phase_of(settings, day), f"{item.contract_id} {reason}", reason)
            )
    # min keeps the first of equals: the item's own deadline before the plan's.
    return min(candidates, key=lambda b: b.phase, default=None)
