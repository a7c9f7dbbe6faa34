"""Why an item does not cut over in its natural phase, in words a system owner can check: for
every phase between the natural one and the one chosen, what closed it in this schedule."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from services.migration.planning.model import CRITICALITY_WEIGHT
from services.migration.planning.plan_constraints import CRITICALITY_LABEL, Plan, Window


def cutover_reasons(plan: Plan, phases: Mapping[str, int]) -> dict[str, tuple[str, ...]]:
    """Contract id → reasons, for the items not in their natural phase (the others are absent).

    `phases` holds every item's phase, done items included. Reasons are read off the
    schedule, not the solver, and name only what decided the phase: a later phase is
    explained by the lower bounds that reach it, if any, else by what closed each earlier
    one; an earlier phase by the exposure when it outweighs the early penalty (the item
    moves as early as it may, whatever closes the phases it passes over), else by a deadline
    reaching it, else by what closed each later one up to the natural end. When nothing did,
    the reason says so plainly: the solver's choice between equal options, or a schedule the
    time limit left unproven."""
    occupants: dict[int, list[str]] = {}
    for cid, phase in sorted(phases.items()):
        occupants.setdefault(phase, []).append(cid)
    dependents: dict[str, list[str]] = {}
    for cid, window in plan.windows.items():
        for dependency in window.item.depends_on:
            dependents.setdefault(dependency, []).append(cid)
    explain = _Explainer(plan, phases, occupants, dependents)
    reasons = done_reasons(plan, phases)
    for cid, window in plan.windows.items():
        chosen = phases[cid]
        if chosen > window.natural:
            found = explain.later(window, chosen)
        elif chosen < window.natural:
            found = explain.earlier(window, chosen)
        else:
            continue
        reasons[cid] = tuple(dict.fromkeys(found))  # each once, in the order met
    return reasons


def done_reasons(plan: Plan, phases: Mapping[str, int]) -> dict[str, tuple[str, ...]]:
    """Contract id → reasons, for the done items not in their natural phase, that cut over
    before an item they move after, or in a phase their cut-overs took past its capacity;
    `phases` holds the done items' and whichever others are scheduled (none, when no schedule
    was found)."""
    reasons: dict[str, tuple[str, ...]] = {}
    for cid, done in plan.done.items():
        moved = done != plan.natural(cid)
        said = [f"already cut over in {plan.label(done)} (done)"] if moved else []
        said += _order_broken(plan, cid, phases)
        said += _over_capacity(plan, done)
        if said:
            reasons[cid] = tuple(said)
    return reasons


def _over_capacity(plan: Plan, done: int) -> list[str]:
    """What a done item's phase says when the items done in it outnumber its capacity. Not a
    broken rule (no "done" is refused for it: capacity is what the plan schedules, and what
    happened happened), but the owner set it, so the plan says it rather than nothing; the
    phase then has no room left for anything still to plan."""
    cids = plan.done_in.get(done, ())
    capacity = plan.capacity(done)
    if len(cids) <= capacity:
        return []
    return [
        f"{plan.label(done)} took {len(cids)} cut-overs done ({', '.join(cids)}),"
        f" over its capacity of {capacity}"
    ]


def _order_broken(plan: Plan, cid: str, phases: Mapping[str, int]) -> list[str]:
    """The items a done item moves after that had not cut over before it: recorded so (a
    contract terminated as migrated, an owner's "done" before the rules of 2026-12-07), the
    cut-over stands, and the plan says the order it broke rather than nothing. A dependency
    still to plan cuts over after it whatever its phase; one done in the same phase may have
    gone first (the days are not the plan's)."""
    done = plan.done[cid]
    broken = []
    for dependency in plan.items[cid].depends_on:
        title = plan.items[dependency].title
        if dependency not in phases:  # not done, and no schedule was found
            when = "it has not cut over"
        elif dependency not in plan.done:
            when = f"it cuts over in {plan.label(phases[dependency])}"
        elif phases[dependency] > done:
            when = f"it cut over in {plan.label(phases[dependency])} (done)"
        else:
            continue
        broken.append(f"cut over before {dependency} '{title}', which it moves after ({when})")
    return broken


@dataclass(frozen=True)
class _Explainer:
    plan: Plan
    phases: Mapping[str, int]  # every item's
    occupants: Mapping[int, list[str]]  # phase → the items in it
    dependents: Mapping[str, list[str]]  # item → the items still to plan that depend on it

    def later(self, window: Window, chosen: int) -> list[str]:
        """Why the item cuts over in `chosen`, after its natural phase: the lower bounds at
        `chosen` alone when there are any (they rule out every phase before it, whatever
        else closes some of them too: a blackout in a phase a replacement's bar covers
        decided nothing), else what ruled out each phase in between."""
        binding = [b.reason for b in window.lower if b.phase == chosen]
        if binding:
            return binding
        return [r for p in range(window.natural, chosen) for r in self.not_earlier(window, p)]

    def earlier(self, window: Window, chosen: int) -> list[str]:
        """Why the item cuts over in `chosen`, before its natural phase (early cut-overs are
        penalised, not forbidden). Where a phase of its exposure costs more than the penalty,
        that decided it: it goes as early as it may, and what closes a phase it passed over
        (a blackout, a full month) is no reason. Else a deadline at `chosen`, else what
        ruled out each later phase up to its natural one."""
        item, settings = window.item, self.plan.settings
        if CRITICALITY_WEIGHT[item.criticality] > settings.early_penalty:
            criticality = CRITICALITY_LABEL[item.criticality]
            return [
                f"before its natural end to reduce exposure ({criticality}):"
                " early cut-overs are penalised, not forbidden"
            ]
        if window.upper is not None and window.upper.phase == chosen:
            return [window.upper.reason]
        return [r for p in range(chosen + 1, window.natural + 1) for r in self.not_later(window, p)]

    def not_earlier(self, window: Window, phase: int) -> list[str]:
        """Why the item could not cut over in `phase`, before the one chosen."""
        plan, cid = self.plan, window.item.contract_id
        reasons = [b.reason for b in window.lower if b.phase > phase]
        reasons += self._closed(cid, phase)
        for dependency in window.item.depends_on:
            if self.phases[dependency] >= phase:
                reasons.append(f"must move after {self._cutover(dependency)}")
        return reasons or [
            f"nothing prevents {plan.label(phase)}: the solver's choice, not a constraint"
        ]

    def not_later(self, window: Window, phase: int) -> list[str]:
        """Why the item did not wait until `phase`, after the one chosen (up to its natural
        end), when it would rather have: its exposure weighs no more than the penalty."""
        plan, item = self.plan, window.item
        reasons = [window.upper.reason] if window.upper and window.upper.phase < phase else []
        reasons += self._closed(item.contract_id, phase)
        for dependent in self.dependents.get(item.contract_id, ()):
            if self.phases[dependent] <= phase:
                title, label = plan.items[dependent].title, plan.label(self.phases[dependent])
                reasons.append(f"{dependent} '{title}' depends on it and cuts over in {label}")
        return reasons or [
            f"nothing prevents {plan.label(phase)}: the solver's choice, not a constraint"
        ]

    def _closed(self, cid: str, phase: int) -> list[str]:
        """Blackouts and capacity that leave no room in `phase` for the item."""
        plan, label = self.plan, self.plan.label(phase)
        reasons = [
            f"{label} is in the blackout '{b.reason}' ({b.starts_on}–{b.ends_on})"
            for b in plan.blackouts_in.get(phase, ())
        ]
        others = [o for o in self.occupants.get(phase, ()) if o != cid]
        capacity = plan.capacity(phase)
        if capacity == 0:
            reasons.append(f"{label} takes no cut-overs (capacity 0)")
        elif sum(o in plan.windows for o in others) >= plan.free(phase):
            unit = "cut-over" if capacity == 1 else "cut-overs"
            reasons.append(
                f"{label} is full: {len(others)} of {capacity} {unit} ({', '.join(others)})"
            )
        return reasons

    def _cutover(self, cid: str) -> str:
        """`C-03 'Tax system', which cuts over in 2023-05`, said of another item."""
        item, label = self.plan.items[cid], self.plan.label(self.phases[cid])
        if cid in self.plan.done:
            return f"{cid} '{item.title}', which cut over in {label} (done)"
        return f"{cid} '{item.title}', which cuts over in {label}"
