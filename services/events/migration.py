"""Payloads of migration events: what system owners record about a plan (through the API)
and what the migration service announces (plans opened, schedules found).

Every migration event travels under the suspended vendor's id: a plan's whole history is on
that vendor's partition, in order.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar, Self

from pydantic import Field, model_validator

from services.events.base import (
    Identifier,
    LocalDate,
    NonEmptyText,
    PartialChange,
    Payload,
    ShortNote,
    ShortText,
    StrictModel,
    refusal,
    refuse_duplicates,
)
from services.events.contract import Criticality

KEEP_OR_CLEAR = "Leave it out to keep the current value; null clears it."
KEEP = "Leave it out to keep the current value."
Months = Annotated[int, Field(ge=0, le=120)]


class MigrationTrigger(StrEnum):
    SUSPENSION = "suspension"
    DEBARMENT = "debarment"
    MANUAL = "manual"


class MigrationPlanRequested(Payload):
    """A system owner opens a plan by hand (e.g. for a high-risk vendor) for an agency."""

    event_type: ClassVar[str] = "migration.plan_requested"

    plan_id: Identifier
    agency: ShortText
    reason: NonEmptyText


class MigrationPlanCreated(Payload):
    """A plan is opened to move an agency's contracts away from the vendor."""

    event_type: ClassVar[str] = "migration.plan_created"

    plan_id: Identifier
    agency: ShortText
    trigger: MigrationTrigger
    contract_ids: list[Identifier] = Field(description="Contracts to migrate.")

    @model_validator(mode="after")
    def _check_contracts(self) -> Self:
        refuse_duplicates("contract_ids", self.contract_ids)
        return self


class MigrationPlanWithdrawn(Payload):
    """A system owner withdraws a plan that need not be carried out: one opened by hand by
    mistake, or one whose vendor may bid for its contracts at the agency again and whose
    agency keeps them. Its items already done stay its history; nothing more is scheduled."""

    event_type: ClassVar[str] = "migration.plan_withdrawn"

    plan_id: Identifier
    reason: NonEmptyText = Field(description="Why the plan is withdrawn.")


class EarlyCutoverPolicy(StrEnum):
    FORBID = "forbid"
    PENALISE = "penalise"


class Blackout(StrictModel):
    """Days on which no cut-over may happen."""

    starts_on: LocalDate
    ends_on: LocalDate = Field(description="Last day of the window (inclusive).")
    reason: ShortNote

    @model_validator(mode="after")
    def _check_window(self) -> Self:
        if self.ends_on < self.starts_on:
            raise refusal(
                "ends_before_start", f"ends_on: {self.ends_on} is before starts_on {self.starts_on}"
            )
        return self


class PhaseCapacity(StrictModel):
    """How many items may cut over in the phase starting on `phase_start`."""

    phase_start: LocalDate
    capacity: int = Field(ge=0, le=10_000)


class MigrationPlanConfigured(PartialChange):
    """The system owner sets how the plan is scheduled. Only the fields given change."""

    event_type: ClassVar[str] = "migration.plan_configured"

    plan_id: Identifier
    phase_months: int | None = Field(
        default=None, ge=1, le=12, description="Length of a phase in months. " + KEEP
    )
    capacity: int | None = Field(
        default=None, ge=1, le=10_000, description="Cut-overs per phase. " + KEEP
    )
    capacity_overrides: list[PhaseCapacity] | None = Field(
        default=None, description="Replaces the per-phase exceptions. " + KEEP
    )
    blackouts: list[Blackout] | None = Field(
        default=None, description="Replaces the blackout windows. " + KEEP
    )
    early_cutover: EarlyCutoverPolicy | None = Field(
        default=None, description="Forbid or penalise cutting over before a contract's end. " + KEEP
    )
    early_penalty: int | None = Field(
        default=None, ge=0, le=1000, description="Cost of a phase early, if penalised. " + KEEP
    )
    deadline_on: LocalDate | None = Field(
        default=None, description="Every item cut over by this day. " + KEEP_OR_CLEAR
    )
    time_limit_seconds: float | None = Field(
        default=None, gt=0, le=600, allow_inf_nan=False, description="Solver time limit. " + KEEP
    )

    @model_validator(mode="after")
    def _check_change(self) -> Self:
        if self.model_fields_set <= {"plan_id"}:
            raise refusal("no_change", "no change given: set at least one setting of the plan")
        if self.capacity_overrides is not None:
            refuse_duplicates(
                "capacity_overrides", (c.phase_start for c in self.capacity_overrides)
            )
        return self


class MigrationItemConfigured(PartialChange):
    """The system owner describes one item of a plan. Only the fields given change."""

    event_type: ClassVar[str] = "migration.item_configured"

    plan_id: Identifier
    contract_id: Identifier
    criticality: Criticality | None = Field(default=None, description=KEEP)
    depends_on: list[Identifier] | None = Field(
        default=None, description="Contracts this one moves after (replaces the list). " + KEEP
    )
    lead_time_months: Months | None = Field(
        default=None, description="Preparation the replacement needs once chosen. " + KEEP
    )
    earliest_on: LocalDate | None = Field(
        default=None, description="Cut over no earlier than this day. " + KEEP_OR_CLEAR
    )
    deadline_on: LocalDate | None = Field(
        default=None, description="Cut over no later than this day. " + KEEP_OR_CLEAR
    )

    @model_validator(mode="after")
    def _check_change(self) -> Self:
        if self.model_fields_set <= {"plan_id", "contract_id"}:
            raise refusal("no_change", "no change given: set at least one property of the item")
        if self.depends_on is not None:
            refuse_duplicates("depends_on", self.depends_on)
            if self.contract_id in self.depends_on:
                raise refusal(
                    "depends_on_itself", f"depends_on: {self.contract_id} cannot move after itself"
                )
        if self.earliest_on and self.deadline_on and self.deadline_on < self.earliest_on:
            raise refusal(
                "deadline_before_earliest",
                f"deadline_on: {self.deadline_on} is before earliest_on {self.earliest_on}",
            )
        return self


class MigrationReplacementChosen(Payload):
    """The vendor that takes over one item of a plan."""

    event_type: ClassVar[str] = "migration.replacement_chosen"

    plan_id: Identifier
    contract_id: Identifier
    replacement_vendor_id: Identifier
    chosen_on: LocalDate = Field(description="The replacement's lead time counts from here.")


class ChecklistCheck(StrEnum):
    """What must be true before an item may be marked done (besides an eligible replacement)."""

    DATA_MIGRATION_REHEARSED = "data_migration_rehearsed"
    PARALLEL_RUN_PASSED = "parallel_run_passed"
    ERASURE_CERTIFICATE_RECEIVED = "erasure_certificate_received"
    DISPOSAL_CERTIFICATE_RECEIVED = "disposal_certificate_received"


class MigrationChecklistUpdated(Payload):
    """A readiness check of one item is passed (or withdrawn)."""

    event_type: ClassVar[str] = "migration.checklist_updated"

    plan_id: Identifier
    contract_id: Identifier
    check: ChecklistCheck
    passed: bool
    note: NonEmptyText | None = None


class MigrationItemStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    BLOCKED = "blocked"


class MigrationItemStatusChanged(Payload):
    """A milestone of one item: started, cut over (done), blocked, or back to planned."""

    event_type: ClassVar[str] = "migration.item_status_changed"

    plan_id: Identifier
    contract_id: Identifier
    status: MigrationItemStatus
    on: LocalDate = Field(description="When; for done, the day the replacement took over.")
    note: NonEmptyText | None = Field(
        default=None, description="Required when blocked: what blocks the migration."
    )

    @model_validator(mode="after")
    def _check_note(self) -> Self:
        if self.status is MigrationItemStatus.BLOCKED and self.note is None:
            raise refusal(
                "note_required", "note: required when status is 'blocked', to say what blocks it"
            )
        return self


class SolverStatus(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNKNOWN = "unknown"


class ScheduledMigration(StrictModel):
    """When one contract cuts over to its replacement."""

    contract_id: Identifier
    phase_start: LocalDate


class MigrationPlanScheduled(Payload):
    """The planner found a new version of a plan's schedule (or found that none exists)."""

    event_type: ClassVar[str] = "migration.plan_scheduled"

    plan_id: Identifier
    version: int = Field(ge=1)
    solver_status: SolverStatus
    gap: float | None = Field(
        default=None, ge=0, allow_inf_nan=False, description="Relative optimality gap."
    )
    phases: list[ScheduledMigration] = Field(
        description="Cut-over phase of each contract still to move; empty without a schedule."
    )
    changes: list[NonEmptyText] = Field(description="What changed since the last version, why.")
    conflicts: list[NonEmptyText] = Field(
        default=[], description="When infeasible: the constraints that cannot all hold."
    )

    @model_validator(mode="after")
    def _check_phases(self) -> Self:
        scheduled = self.solver_status in (SolverStatus.OPTIMAL, SolverStatus.FEASIBLE)
        if not scheduled and self.phases:
            raise refusal(
                "phases_unscheduled",
                f"phases: must be empty when solver_status is '{self.solver_status.value}'",
            )
        refuse_duplicates(
            "phases", (p.contract_id for p in self.phases), "contracts scheduled twice:"
        )
        return self
