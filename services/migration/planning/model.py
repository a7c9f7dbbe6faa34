"""The planning problem and its answer, as plain values: what the solver, the reasons, the
diff between versions and the exports all speak."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from services.events.contract import Criticality

# How much an item weighs in the exposure (criticality × phases still with the vendor).
CRITICALITY_WEIGHT: Mapping[Criticality, int] = {
    Criticality.RESIDENT_FACING: 3,
    Criticality.LEGALLY_MANDATED: 2,
    Criticality.INTERNAL: 1,
}


class EarlyCutover(StrEnum):
    """May an item move before its contract's natural end? The case let every contract run
    to term (forbid); penalise lets exposure outweigh the cost of ending a contract early."""

    FORBID = "forbid"
    PENALISE = "penalise"


@dataclass(frozen=True)
class Blackout:
    """Days on which no cut-over may happen (fiscal-year end, tax season)."""

    starts_on: dt.date
    ends_on: dt.date  # inclusive
    reason: str


@dataclass(frozen=True)
class PhaseCapacity:
    """How many items may cut over in the phase starting on `phase_start` (overrides the
    plan's default capacity)."""

    phase_start: dt.date
    capacity: int


@dataclass(frozen=True)
class PlanSettings:
    starts_on: dt.date  # first day of phase 0
    phase_months: int = 1
    capacity: int = 2  # items cut over per phase, unless overridden
    capacity_overrides: tuple[PhaseCapacity, ...] = ()
    blackouts: tuple[Blackout, ...] = ()
    early_cutover: EarlyCutover = EarlyCutover.FORBID
    early_penalty: int = 2  # per phase early, when early cut-overs are penalised
    deadline_on: dt.date | None = None  # every item cut over by this day
    time_limit_seconds: float = 10.0


@dataclass(frozen=True)
class ReplacementBar:
    """The vendor chosen to take an item over is barred at the plan's agency from its
    contract, by a sanction in force or one already recorded to begin later: the item cuts
    over to it only once the last of those bars is over. Cut over before, the contract would
    run with a vendor barred from it and have to move again (which is why choosing a vendor
    under a bar to come is refused, `barred_later`)."""

    vendor_id: str
    last_day: dt.date | None  # the last day a recorded bar holds there; None: one has no end


@dataclass(frozen=True)
class PlanItem:
    """One contract (system) to move away from the vendor."""

    contract_id: str
    title: str
    criticality: Criticality
    ends_on: dt.date  # last day of the contract's term: its natural end
    depends_on: tuple[str, ...] = ()  # moves in a later phase than each of these
    lead_time_months: int = 0  # preparation the replacement needs
    lead_time_from: dt.date | None = None  # when it started (replacement chosen); else today
    earliest_on: dt.date | None = None  # cut over no earlier than this day
    deadline_on: dt.date | None = None  # cut over no later than this day
    done_in_phase: int | None = None  # already moved: fixed, not planned again
    replacement_bar: ReplacementBar | None = None  # not cut over to it while barred
    # First day of the term: not cut over before it (None: unknown, versions before it was kept).
    starts_on: dt.date | None = None


@dataclass(frozen=True)
class SchedulingProblem:
    settings: PlanSettings
    items: tuple[PlanItem, ...]
    today: dt.date  # lead times count from here


class SolverStatus(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"  # a schedule, not proven best within the time limit: see the gap
    INFEASIBLE = "infeasible"  # no schedule exists: see the conflicts
    UNKNOWN = "unknown"  # the time limit passed before any schedule was found


@dataclass(frozen=True)
class Assignment:
    contract_id: str
    phase: int  # the phase in which the item cuts over to its replacement
    natural_phase: int  # the phase holding the day after its contract ends
    # Why it is not in its natural phase (none when it is); a done item's also the order its
    # cut-over broke, if it did (cutover_reasons).
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Schedule:
    status: SolverStatus
    # Every item's when optimal or feasible; else the done items' alone (their cut-overs).
    assignments: tuple[Assignment, ...] = ()
    objective: int | None = None
    best_bound: int | None = None
    gap: float | None = None  # (objective − bound) / objective; 0 when optimal
    wall_seconds: float = 0.0
    conflicts: tuple[str, ...] = ()  # when infeasible: the constraints that cannot all hold


@dataclass(frozen=True)
class PlanSnapshot:
    """One version of a plan as people read it: what the exports draw."""

    plan_id: str
    vendor_id: str
    agency: str
    version: int
    problem: SchedulingProblem
    schedule: Schedule
    statuses: Mapping[str, str] = field(default_factory=dict)  # contract id → item status
    blockers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # open checklist etc.
    # Contract id → the vendor chosen to take it over (versions before it was kept have none).
    replacements: Mapping[str, str] = field(default_factory=dict)
