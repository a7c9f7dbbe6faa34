"""An independent check of a migration schedule against its problem, written from the
constraints' definitions and not from the solver's code, so that both cannot share a mistake.

Semantics checked (the solver documents the same): items still to plan cut over in phase 0 or
later; done items stay in their phase and take capacity of it when it is phase 0 or later, but
never make a phase over-full by themselves; dependencies are strictly later phases; an item
whose replacement is barred cuts over in a phase holding a day after the bar's last."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from dateutil.relativedelta import relativedelta

from services.migration.planning.model import EarlyCutover, PlanItem, Schedule, SchedulingProblem
from services.migration.planning.phases import phase_end, phase_of, phase_start


def violations(problem: SchedulingProblem, schedule: Schedule) -> list[str]:
    """Every broken rule, one line each; empty when the schedule is valid."""
    settings = problem.settings
    items = {item.contract_id: item for item in problem.items}
    found: list[str] = []
    counts = Counter(a.contract_id for a in schedule.assignments)
    for cid in sorted(set(items) | set(counts)):
        if counts[cid] != 1:
            found.append(f"{cid} is assigned {counts[cid]} times")
    phases = {a.contract_id: a.phase for a in schedule.assignments}
    for a in schedule.assignments:
        item = items.get(a.contract_id)
        if item is None:
            continue
        natural = max(0, phase_of(settings, item.ends_on + dt.timedelta(days=1)))
        if a.natural_phase != natural:
            found.append(f"{a.contract_id}: natural phase {a.natural_phase}, expected {natural}")
        # A done item may also say the order its cut-over broke, and its phase's cut-overs
        # done past its capacity (cutover_reasons).
        order = [r for r in a.reasons if r.startswith("cut over before ")]
        if item.done_in_phase is None and order:
            found.append(f"{a.contract_id}: still to plan, yet {order!r}")
        over = [r for r in a.reasons if "over its capacity of" in r]
        if over != _over_capacity(problem, item):
            found.append(f"{a.contract_id}: {over!r}, expected {_over_capacity(problem, item)!r}")
        if (a.phase != natural) != bool(set(a.reasons) - set(order) - set(over)):
            found.append(f"{a.contract_id}: reasons {a.reasons!r} for phase {a.phase}/{natural}")
        if item.done_in_phase is not None:
            if a.phase != item.done_in_phase:
                found.append(f"{a.contract_id} is done in {item.done_in_phase}, moved to {a.phase}")
        else:
            found += _item_violations(problem, item, a.phase, natural, phases)
    return found + _capacity_violations(problem, phases)


def _item_violations(
    problem: SchedulingProblem, item: PlanItem, phase: int, natural: int, phases: dict[str, int]
) -> list[str]:
    settings, cid = problem.settings, item.contract_id
    found: list[str] = []
    if phase < 0:
        found.append(f"{cid} cuts over in phase {phase}, before the plan starts")
    for dependency in item.depends_on:
        if dependency in phases and phases[dependency] >= phase:
            found.append(f"{cid} in {phase} is not after its dependency {dependency}")
    first, last = phase_start(settings, phase), phase_end(settings, phase)
    for blackout in settings.blackouts:
        if first <= blackout.ends_on and blackout.starts_on <= last:
            found.append(f"{cid} cuts over in {phase}, in the blackout '{blackout.reason}'")
    if item.earliest_on is not None and last < item.earliest_on:
        found.append(f"{cid} cuts over in {phase}, wholly before its earliest day")
    if item.starts_on is not None and last < item.starts_on:
        found.append(f"{cid} cuts over in {phase}, wholly before its contract starts")
    if last < problem.today:
        found.append(f"{cid} cuts over in {phase}, which ended before {problem.today}")
    if item.lead_time_months > 0:
        since = item.lead_time_from or problem.today
        ready = since + relativedelta(months=item.lead_time_months)
        if last < ready:
            found.append(f"{cid} cuts over in {phase}, before it is ready on {ready}")
    for deadline in (item.deadline_on, settings.deadline_on):
        if deadline is not None and first > deadline:
            found.append(f"{cid} cuts over in {phase}, after the deadline {deadline}")
    bar = item.replacement_bar
    if bar is not None and (bar.last_day is None or last <= bar.last_day):
        # Barred through the phase's last day, the replacement may take over on none of it.
        found.append(f"{cid} cuts over in {phase}, while its replacement {bar.vendor_id} is barred")
    if settings.early_cutover is EarlyCutover.FORBID and phase < natural:
        found.append(f"{cid} cuts over in {phase}, before its natural phase {natural}")
    return found


def _capacity(problem: SchedulingProblem, phase: int) -> int:
    settings = problem.settings
    overrides = {c.phase_start: c.capacity for c in settings.capacity_overrides}
    return overrides.get(phase_start(settings, phase), settings.capacity)


def _over_capacity(problem: SchedulingProblem, item: PlanItem) -> list[str]:
    """What a done item says when the items done in its phase (0 or later) outnumber the
    phase's capacity: the phase, how many and which, the capacity."""
    phase = item.done_in_phase
    if phase is None or phase < 0:
        return []
    done = sorted(i.contract_id for i in problem.items if i.done_in_phase == phase)
    capacity = _capacity(problem, phase)
    if len(done) <= capacity:
        return []
    settings = problem.settings
    start = phase_start(settings, phase)
    monthly = settings.phase_months == 1 and start.day == 1
    label = f"{start:%Y-%m}" if monthly else f"{start}–{phase_end(settings, phase)}"
    return [
        f"{label} took {len(done)} cut-overs done ({', '.join(done)}), over its capacity of"
        f" {capacity}"
    ]


def _capacity_violations(problem: SchedulingProblem, phases: dict[str, int]) -> list[str]:
    done = Counter(
        i.done_in_phase
        for i in problem.items
        if i.done_in_phase is not None and i.done_in_phase >= 0
    )
    planned = Counter(
        phases[i.contract_id]
        for i in problem.items
        if i.done_in_phase is None and i.contract_id in phases
    )
    found: list[str] = []
    for phase, count in sorted(planned.items()):
        capacity = _capacity(problem, phase)
        if count + done[phase] > max(capacity, done[phase]):
            found.append(
                f"phase {phase}: {count} planned + {done[phase]} done, capacity {capacity}"
            )
    return found
