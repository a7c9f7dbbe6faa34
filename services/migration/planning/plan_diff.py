"""What changed between two versions of a plan, in lines a system owner reads (a schedule's
outcome worded as the exports word it, `outcome_words.py`)."""

from __future__ import annotations

import datetime as dt

from services.migration.planning.export_csv import PlanRow, plan_rows
from services.migration.planning.model import Assignment, PlanSettings, PlanSnapshot
from services.migration.planning.outcome_words import (
    has_schedule,
    status_text,
    why_no_schedule,
)
from services.migration.planning.phases import phase_end, phase_label, phase_start


def _named(row: PlanRow) -> str:
    return f"{row.item.contract_id} '{row.item.title}'"


def _span(settings: PlanSettings, assignment: Assignment) -> tuple[dt.date, dt.date]:
    return phase_start(settings, assignment.phase), phase_end(settings, assignment.phase)


def plan_diff(old: PlanSnapshot | None, new: PlanSnapshot, cause: str) -> tuple[str, ...]:
    if old is None:
        first = f"first schedule: {len(new.problem.items)} items, {status_text(new.schedule)}"
        if has_schedule(new.schedule):
            return (first,)
        return (first, "no schedule: " + "; ".join(why_no_schedule(new.schedule)))

    old_rows = {row.item.contract_id: row for row in plan_rows(old)}
    new_rows = {row.item.contract_id: row for row in plan_rows(new)}
    old_settings, new_settings = old.problem.settings, new.problem.settings

    lines: list[str] = []
    had, has = has_schedule(old.schedule), has_schedule(new.schedule)
    if had and not has:
        lines.append("no schedule any more: " + "; ".join(why_no_schedule(new.schedule)))
    elif has and not had:
        lines.append("schedule found again")
    elif not has and why_no_schedule(old.schedule) != why_no_schedule(new.schedule):
        lines.append("still no schedule: " + "; ".join(why_no_schedule(new.schedule)))
    else:
        old_status, new_status = status_text(old.schedule), status_text(new.schedule)
        if old_status != new_status:
            lines.append(f"solver status: {old_status} → {new_status}")

    for contract_id in sorted(old_rows.keys() & new_rows.keys()):
        before, after = old_rows[contract_id].assignment, new_rows[contract_id].assignment
        if after is None:
            continue
        if before is None:
            # Placed again after a version without a schedule: where, as an item added is.
            phase = phase_label(new_settings, after.phase)
            lines.append(f"{_named(new_rows[contract_id])} planned in {phase}")
            continue
        # Phase numbers count from each version's start: compare the days the phases cover.
        if _span(old_settings, before) == _span(new_settings, after):
            continue
        line = (
            f"{_named(new_rows[contract_id])} moved from {phase_label(old_settings, before.phase)}"
            f" to {phase_label(new_settings, after.phase)} because {cause}"
        )
        if after.reasons:
            line += "; now: " + "; ".join(after.reasons)
        lines.append(line)

    for contract_id in sorted(new_rows.keys() - old_rows.keys()):
        row = new_rows[contract_id]
        if row.assignment is None:
            lines.append(f"{_named(row)} added to the plan")
        else:
            lines.append(
                f"{_named(row)} added in {phase_label(new_settings, row.assignment.phase)}"
            )

    for contract_id in sorted(old_rows.keys() - new_rows.keys()):
        lines.append(f"{_named(old_rows[contract_id])} removed from the plan")

    # Progress on items is not a change to the schedule, but the owner wants to see it too.
    statuses = []
    for contract_id in sorted(old_rows.keys() & new_rows.keys()):
        was = old.statuses.get(contract_id, "unset")
        now = new.statuses.get(contract_id, "unset")
        if was != now:
            statuses.append(f"{_named(new_rows[contract_id])} status: {was} → {now}")

    # Said only when nothing else is: beside a status line it read as if nothing had changed.
    if not lines and not statuses:
        lines.append(f"no change to the schedule ({cause})")
    return (*lines, *statuses)
