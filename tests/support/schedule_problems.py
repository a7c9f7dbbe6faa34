"""Scheduling problems as the migration scheduling tests write them (pure): monthly phases from
2023-01 (`plan`), items by contract id and end (`item`), the fiscal-year end's blackout, and a
schedule solved and accepted by the independent verifier (`solved`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from services.events.contract import Criticality
from services.migration.planning.model import (
    Assignment,
    Blackout,
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
