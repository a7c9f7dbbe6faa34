"""A plan's scheduling settings: their defaults, the system owner's changes, their checks."""

from __future__ import annotations

import dataclasses
import datetime as dt

from pydantic import TypeAdapter

from services.events.migration import MigrationPlanConfigured
from services.migration.planning.model import Blackout, EarlyCutover, PhaseCapacity, PlanSettings
from services.migration.planning.phases import phase_of, phase_start

_ADAPTER = TypeAdapter(PlanSettings)


def default_settings(created_on: dt.date) -> PlanSettings:
    """Monthly phases from the month the plan opens; no early termination (as in the case)."""
    return PlanSettings(starts_on=created_on.replace(day=1))


def configure(settings: PlanSettings, change: MigrationPlanConfigured) -> PlanSettings:
    """The settings with the fields the system owner gave replaced (the others kept)."""
    given = change.model_fields_set
    updates: dict[str, object] = {}
    for name in ("phase_months", "capacity", "early_penalty", "time_limit_seconds"):
        if name in given and getattr(change, name) is not None:
            updates[name] = getattr(change, name)
    if "deadline_on" in given:
        updates["deadline_on"] = change.deadline_on
    if "early_cutover" in given and change.early_cutover is not None:
        updates["early_cutover"] = EarlyCutover(change.early_cutover.value)
    if "capacity_overrides" in given and change.capacity_overrides is not None:
        updates["capacity_overrides"] = tuple(
            PhaseCapacity(c.phase_start, c.capacity) for c in change.capacity_overrides
        )
    if "blackouts" in given and change.blackouts is not None:
        updates["blackouts"] = tuple(
            Blackout(b.starts_on, b.ends_on, b.reason) for b in change.blackouts
        )
    return dataclasses.replace(settings, **updates)  # type: ignore[arg-type]


def settings_refusal(settings: PlanSettings) -> str | None:
    """Why these settings cannot be used (None when they can)."""
    for override in settings.capacity_overrides:
        phase = phase_of(settings, override.phase_start)
        if phase < 0 or phase_start(settings, phase) != override.phase_start:
            return (
                f"capacity_overrides: {override.phase_start} is not the first day of a phase "
                f"(phases of {settings.phase_months} month(s) from {settings.starts_on})"
            )
    return None


def settings_json(settings: PlanSettings) -> str:
    return _ADAPTER.dump_json(settings).decode()


def settings_from_json(text: str) -> PlanSettings:
    return _ADAPTER.validate_json(text)
