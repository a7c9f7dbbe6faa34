"""A plan as CSV, one row per item, for spreadsheets and for people who file the plan.

The row order is shared by every export (the Gantt chart draws its rows in the same order), so
that a person comparing the CSV with the chart finds each item at the same place. Every cell
is written so that no spreadsheet runs it as a formula (services/platform/spreadsheet_cells.py);
`read_plan_csv` gives the values back as they were. The file opens with UTF-8's byte-order
mark, as the screening and exclusions CSVs do: without it a spreadsheet reads the titles in
the machine's code page, and Japanese comes out garbled.
"""

from __future__ import annotations

import csv
import io
from typing import NamedTuple

from services.migration.planning.model import Assignment, PlanItem, PlanSnapshot
from services.migration.planning.outcome_words import has_schedule, no_schedule_said
from services.migration.planning.phases import phase_end, phase_label, phase_start
from services.migration.planning.plan_constraints import natural_phase
from services.platform.spreadsheet_cells import neutralise, restore

BOM = "\ufeff"

COLUMNS = (
    "contract_id",
    "title",
    "criticality",
    "contract_ends_on",
    "natural_phase",
    "phase",
    "phase_starts_on",
    "phase_ends_on",
    "status",
    "replacement_vendor_id",
    "depends_on",
    "blockers",
    "reasons",
)


class PlanRow(NamedTuple):
    item: PlanItem
    assignment: Assignment | None  # None when the plan has no schedule for the item


def plan_rows(snapshot: PlanSnapshot) -> tuple[PlanRow, ...]:
    """The plan's items in reading order: by cut-over phase, then contract id; items without an
    assignment (no schedule was found) last, by contract id."""
    assignments = {a.contract_id: a for a in snapshot.schedule.assignments}
    rows = [PlanRow(item, assignments.get(item.contract_id)) for item in snapshot.problem.items]

    def key(row: PlanRow) -> tuple[bool, int, str]:
        phase = row.assignment.phase if row.assignment is not None else 0
        return (row.assignment is None, phase, row.item.contract_id)

    return tuple(sorted(rows, key=key))


def plan_csv(snapshot: PlanSnapshot) -> str:
    settings = snapshot.problem.settings
    # An item left without a cut-over because the plan has no schedule says so, and why (the
    # conflicts): its blank phase read as "not planned yet".
    unscheduled = "" if has_schedule(snapshot.schedule) else no_schedule_said(snapshot.schedule)
    out = io.StringIO()
    out.write(BOM)
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for item, assignment in plan_rows(snapshot):
        row = {
            "contract_id": item.contract_id,
            "title": item.title,
            "criticality": item.criticality.value,
            "contract_ends_on": item.ends_on.isoformat(),
            # Known without a schedule (the phase of the day after its contract ends): an
            # infeasible plan's items say it too, beside the empty phase the solver found none for.
            "natural_phase": phase_label(settings, natural_phase(settings, item)),
            "phase": "",
            "phase_starts_on": "",
            "phase_ends_on": "",
            "status": snapshot.statuses.get(item.contract_id, ""),
            "replacement_vendor_id": snapshot.replacements.get(item.contract_id, ""),
            "depends_on": " ".join(item.depends_on),
            "blockers": "; ".join(snapshot.blockers.get(item.contract_id, ())),
            "reasons": unscheduled,
        }
        if assignment is not None:
            row |= {
                "natural_phase": phase_label(settings, assignment.natural_phase),
                "phase": phase_label(settings, assignment.phase),
                "phase_starts_on": phase_start(settings, assignment.phase).isoformat(),
                "phase_ends_on": phase_end(settings, assignment.phase).isoformat(),
                "reasons": "; ".join(assignment.reasons),
            }
        writer.writerow({column: neutralise(value) for column, value in row.items()})
    return out.getvalue()


def read_plan_csv(text: str) -> list[dict[str, str]]:
    """The rows of a `plan_csv` file, each cell's value as it was before it was written."""
    rows = csv.DictReader(io.StringIO(text.removeprefix(BOM), newline=""))
    return [{column: restore(cell) for column, cell in row.items()} for row in rows]
