"""The migration service's GraphQL enums: the closed sets a plan's fields and its mutations'
arguments take."""

from __future__ import annotations

from enum import StrEnum

from services.events.contract import Criticality as CriticalityModel
from services.events.migration import ChecklistCheck
from services.events.migration import EarlyCutoverPolicy as EarlyCutoverModel
from services.events.migration import MigrationItemStatus as ItemStatusModel
from services.events.migration import MigrationTrigger as TriggerModel
from services.events.migration import SolverStatus as SolverStatusModel
from services.migration.domain.items import REPLACEMENT_READY
from services.migration.domain.plan_status import PlanStatus as PlanStatusModel
from services.platform.graphql.descriptions import described_enum

Criticality = described_enum(
    CriticalityModel,
    name="Criticality",
    description="How much harm an interrupted contract does: the scheduler moves the more"
    " critical sooner, and resident-facing and legally mandated contracts count in"
    " concentration risk.",
    values={
        "RESIDENT_FACING": "Residents use the service directly.",
        "LEGALLY_MANDATED": "The agency is required by law to provide the service.",
        "INTERNAL": "Used inside the agency only.",
    },
)
MigrationItemStatus = described_enum(
    ItemStatusModel,
    name="MigrationItemStatus",
    description="Where an item's cut-over stands, as its owner recorded it.",
    values={
        "PLANNED": "Scheduled, not started.",
        "IN_PROGRESS": "The move to the replacement has started.",
        "DONE": "Cut over to the replacement: recorded by its owner only with the checklist"
        " complete, or by the contract's termination as migrated (a fact, not a claim).",
        "BLOCKED": "Stuck; the status note says on what.",
    },
)
MigrationTrigger = described_enum(
    TriggerModel,
    name="MigrationTrigger",
    description="Why a plan was opened.",
    values={
        "SUSPENSION": "The vendor was suspended from bidding.",
        "DEBARMENT": "The vendor was debarred.",
        "MANUAL": "A system owner opened it by hand (e.g. for a high-risk vendor).",
    },
)
MigrationPlanStatus = described_enum(
    PlanStatusModel,
    name="MigrationPlanStatus",
    description="Where a plan stands as a whole.",
    values={
        "OPEN": "Work to do: an item not done yet, or none left to move (every contract"
        " terminated otherwise than as migrated).",
        "COMPLETED": "Every item is done (derived when read: a contract found later joins the"
        " plan and opens it again).",
        "WITHDRAWN": "Its owner withdrew it: it is scheduled and changed no more; its items"
        " done stay its history.",
    },
)
SolverStatus = described_enum(
    SolverStatusModel,
    name="SolverStatus",
    description="What the scheduler achieved within its time limit.",
    values={
        "OPTIMAL": "The schedule is proven best.",
        "FEASIBLE": "A valid schedule, not proven best (see `gap`).",
        "INFEASIBLE": "No schedule meets the constraints (see `conflicts`).",
        "UNKNOWN": "Time ran out before any schedule was found.",
    },
)
EarlyCutover = described_enum(
    EarlyCutoverModel,
    name="EarlyCutover",
    description="Whether an item may cut over before its contract ends.",
    values={
        "FORBID": "Never before the contract's end.",
        "PENALISE": "Allowed, at `earlyPenalty` per phase early.",
    },
)


class ReadinessCheck(StrEnum):
    """Every check of an item's checklist (services.migration.domain.items.checklist): an eligible
    replacement chosen, then the ChecklistCheck values."""

    REPLACEMENT_CHOSEN_AND_ELIGIBLE = "replacement_chosen_and_eligible"
    DATA_MIGRATION_REHEARSED = "data_migration_rehearsed"
    PARALLEL_RUN_PASSED = "parallel_run_passed"
    ERASURE_CERTIFICATE_RECEIVED = "erasure_certificate_received"
    DISPOSAL_CERTIFICATE_RECEIVED = "disposal_certificate_received"


if [c.value for c in ReadinessCheck] != [REPLACEMENT_READY, *(c.value for c in ChecklistCheck)]:
    raise RuntimeError("ReadinessCheck must list the checklist's checks, in its order")

described_enum(
    ReadinessCheck,
    name="ReadinessCheck",
    description="A check an item must pass before it may be marked DONE: an eligible"
    " replacement, and the ChecklistCheck values (which `updateMigrationChecklist` records).",
    values={
        "REPLACEMENT_CHOSEN_AND_ELIGIBLE": "A replacement vendor is chosen and may take the"
        " item over (it is eligible).",
        "DATA_MIGRATION_REHEARSED": "Moving the data to the replacement was rehearsed.",
        "PARALLEL_RUN_PASSED": "Old and new systems ran side by side and agreed.",
        "ERASURE_CERTIFICATE_RECEIVED": "The vendor's data erasure certificate was received.",
        "DISPOSAL_CERTIFICATE_RECEIVED": "The vendor's media disposal certificate was received.",
    },
)
