"""The input types of system owners' plan mutations (graphql_mutations.py): a readiness
check, a plan's settings and an item's properties, each changing only the fields given."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry

from services.events.migration import ChecklistCheck as ChecklistCheckModel
from services.migration.api.graphql_enums import Criticality, EarlyCutover
from services.platform.graphql.descriptions import described_enum

ChecklistCheck = described_enum(
    ChecklistCheckModel,
    name="ChecklistCheck",
    description="A readiness check an item must pass before it may be marked DONE (besides an"
    " eligible replacement).",
    values={
        "DATA_MIGRATION_REHEARSED": "Moving the data to the replacement was rehearsed.",
        "PARALLEL_RUN_PASSED": "Old and new systems ran side by side and agreed.",
        "ERASURE_CERTIFICATE_RECEIVED": "The vendor's data erasure certificate was received.",
        "DISPOSAL_CERTIFICATE_RECEIVED": "The vendor's media disposal certificate was received.",
    },
)
KEEP = " Leave it out to keep the current value."
KEEP_OR_CLEAR = " Leave it out to keep the current value; null clears it."


@strawberry.input(description="Days on which no cut-over may happen.")
class BlackoutInput:
    starts_on: dt.date = strawberry.field(description="First day of the window.")
    ends_on: dt.date = strawberry.field(
        description="Last day of the window (inclusive); not before `startsOn`."
    )
    reason: str = strawberry.field(description="Why nothing may cut over then.")


@strawberry.input(description="A phase whose capacity differs from the plan's.")
class PhaseCapacityInput:
    phase_start: dt.date = strawberry.field(description="First day of the phase.")
    capacity: int = strawberry.field(description="Cut-overs in that phase: 0–10000.")


@strawberry.input(description="Only the fields given change; null clears a deadline.")
class MigrationPlanSettingsInput:
    phase_months: int | None = strawberry.field(
        default=strawberry.UNSET, description="Length of a phase in months: 1–12." + KEEP
    )
    capacity: int | None = strawberry.field(
        default=strawberry.UNSET, description="Cut-overs per phase: 1–10000." + KEEP
    )
    capacity_overrides: list[PhaseCapacityInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces the per-phase exceptions." + KEEP
    )
    blackouts: list[BlackoutInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces the blackout windows." + KEEP
    )
    early_cutover: EarlyCutover | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET,
        description="Forbid or penalise cutting over before a contract's end." + KEEP,
    )
    early_penalty: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="Cost of each phase early, if penalised: 0–1000." + KEEP,
    )
    deadline_on: dt.date | None = strawberry.field(
        default=strawberry.UNSET,
        description="Every item cut over by this day; a day already past is refused"
        " (`deadline_passed`)." + KEEP_OR_CLEAR,
    )
    time_limit_seconds: float | None = strawberry.field(
        default=strawberry.UNSET,
        description="How long the scheduler may search, in seconds: more than 0, at most 600."
        + KEEP,
    )


@strawberry.input(description="Only the fields given change; null clears a date.")
class MigrationItemInput:
    criticality: Criticality | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET,
        description="How much harm an interruption does; it orders the schedule." + KEEP,
    )
    depends_on: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Contracts this one moves after (replaces the list)." + KEEP,
    )
    lead_time_months: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="Preparation the replacement needs once chosen, in months: 0–120." + KEEP,
    )
    earliest_on: dt.date | None = strawberry.field(
        default=strawberry.UNSET, description="Cut over no earlier than this day." + KEEP_OR_CLEAR
    )
    deadline_on: dt.date | None = strawberry.field(
        default=strawberry.UNSET,
        description="Cut over no later than this day; a day already past is refused"
        " (`deadline_passed`)." + KEEP_OR_CLEAR,
    )


def given_fields(value: object) -> dict[str, Any]:
    """The input's fields the client sent, in the event's (snake_case, JSON) form."""
    fields = {}
    for name, given in vars(value).items():
        if given is strawberry.UNSET:
            continue
        if isinstance(given, list):
            given = [vars(v) if hasattr(v, "__dict__") else v for v in given]
        fields[name] = given
    return fields
