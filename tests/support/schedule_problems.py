"""Scheduling problems as the migration scheduling tests write them (pure): monthly phases from
2023-01 (`plan`), items by contract id and end (`item`), the fiscal-year end's blackout, and a
schedule solved and accepted by the independent verifier (`solved`); and a large city's whole
portfolio with one vendor, 300 contracts over three years (`city_portfolio`, seeded), which the
solver's benchmark schedules and the greedy start's tests start from."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from typing import Any

from services.events.contract import Criticality
from services.migration.planning.model import (
    Assignment,
    Blackout,
    EarlyCutover,
    PhaseCapacity,
    PlanItem,
    PlanSettings,
    SchedulingProblem,
    SolverStatus,
)
from services.migration.planning.scheduling import solve
from tests.support.migration_verifier import violations

RESIDENT = Criticality.RESIDENT_FACING
LEGAL = Criticality.LEGALLY_MANDATED
INTERNAL = Criticality.INTERNAL
D = dt.date
FISCAL_YEAR_END = Blackout(D(2023, 3, 25), D(2023, 4, 10), "fiscal-year end")
TODAY = D(2023, 1, 10)


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


# A large city's whole portfolio with one vendor.
ITEMS = 300
TIME_LIMIT_SECONDS = 20.0
START = dt.date(2022, 7, 1)


def city_portfolio() -> SchedulingProblem:
    rng = random.Random(20220708)
    items: list[PlanItem] = []
    for n in range(ITEMS):
        # Contracts end over three years, bunched at fiscal-year ends as real ones are.
        year_end = rng.random() < 0.3
        ends_on = (
            dt.date(rng.choice([2023, 2024, 2025]), 3, 31)
            if year_end
            else START + dt.timedelta(days=rng.randint(0, 3 * 365))
        )
        # Systems depend on ones whose contracts end first, as a migration is usually laid out.
        earlier = [i.contract_id for i in items[-40:] if i.ends_on <= ends_on]
        depends_on = tuple(rng.sample(earlier, k=min(len(earlier), rng.choice([0, 0, 1, 2]))))
        items.append(
            PlanItem(
                f"C-{n:03d}",
                f"System {n}",
                rng.choice(list(Criticality)),
                ends_on,
                depends_on=depends_on,
                lead_time_months=rng.choice([0, 0, 0, 3, 6]),
                deadline_on=ends_on + dt.timedelta(days=365) if rng.random() < 0.1 else None,
            )
        )
    settings = PlanSettings(
        starts_on=START,
        capacity=12,
        capacity_overrides=(PhaseCapacity(dt.date(2023, 8, 1), 4),),
        blackouts=tuple(
            Blackout(dt.date(year, 3, 25), dt.date(year, 4, 10), "fiscal-year end")
            for year in (2023, 2024, 2025)
        ),
        early_cutover=EarlyCutover.FORBID,
        time_limit_seconds=TIME_LIMIT_SECONDS,
    )
    return SchedulingProblem(settings, tuple(items), today=dt.date(2022, 7, 9))
