"""The wording of a schedule's outcome (solver status, why there is no schedule), which the
versions' changes, the Gantt chart and the CSV share, so that all say the same thing the same
way (pure)."""

from __future__ import annotations

from services.migration.planning.model import Schedule, SolverStatus

_SCHEDULED = (SolverStatus.OPTIMAL, SolverStatus.FEASIBLE)


def has_schedule(schedule: Schedule) -> bool:
    return schedule.status in _SCHEDULED


def status_text(schedule: Schedule) -> str:
    """`optimal`, or `feasible (gap 3.1%)`: a feasible schedule is only as good as its gap."""
    if schedule.status is SolverStatus.OPTIMAL or schedule.gap is None:
        return schedule.status.value
    return f"{schedule.status.value} (gap {schedule.gap * 100:.1f}%)"


def why_no_schedule(schedule: Schedule) -> tuple[str, ...]:
    """The conflicts, or what stands for them when the solver gave none."""
    if schedule.conflicts:
        return schedule.conflicts
    if schedule.status is SolverStatus.UNKNOWN:
        return ("the time limit passed before any schedule was found",)
    return ("the constraints cannot all hold",)


def no_schedule_said(schedule: Schedule) -> str:
    """What an item without a cut-over says when the schedule has none: that no feasible one
    exists (infeasible) or none was found (the time limit), and why."""
    said = "no feasible schedule" if schedule.status is SolverStatus.INFEASIBLE else "no schedule"
    return f"{said}: " + "; ".join(why_no_schedule(schedule))
