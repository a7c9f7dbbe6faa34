"""The plan's calendar: phase k covers `phase_months` months from the plan's start."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

from services.migration.planning.model import PlanSettings


def phase_start(settings: PlanSettings, phase: int) -> dt.date:
    return settings.starts_on + relativedelta(months=phase * settings.phase_months)


def phase_end(settings: PlanSettings, phase: int) -> dt.date:
    """The last day of the phase (inclusive)."""
    return phase_start(settings, phase + 1) - dt.timedelta(days=1)


def phase_of(settings: PlanSettings, day: dt.date) -> int:
    """The phase holding `day`; negative before the plan starts."""
    months = (day.year - settings.starts_on.year) * 12 + day.month - settings.starts_on.month
    phase = months // settings.phase_months
    # relativedelta clamps month ends (a start on the 31st): step to the phase really holding it.
    while phase_start(settings, phase) > day:
        phase -= 1
    while phase_start(settings, phase + 1) <= day:
        phase += 1
    return phase


def phase_label(settings: PlanSettings, phase: int) -> str:
    """`2023-04` for a one-month phase starting on the 1st; the date range otherwise."""
    start = phase_start(settings, phase)
    if settings.phase_months == 1 and start.day == 1:
        return f"{start:%Y-%m}"
    return f"{start.isoformat()}–{phase_end(settings, phase).isoformat()}"
