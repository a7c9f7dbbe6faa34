"""The migration service's subscription to the log: which handler applies which event."""

from __future__ import annotations

from services.events.compliance import CertificateSubmitted
from services.events.contract import (
    ContractAmended,
    ContractAwarded,
    ContractTerminated,
    SubcontractApproved,
    SubcontractRejected,
    SubcontractRequested,
)
from services.events.emitted import EligibilityChanged
from services.events.migration import (
    MigrationChecklistUpdated,
    MigrationItemConfigured,
    MigrationItemStatusChanged,
    MigrationPlanConfigured,
    MigrationPlanRequested,
    MigrationPlanWithdrawn,
    MigrationReplacementChosen,
)
from services.migration.batch.handler import MigrationBatch
from services.migration.handlers import WorldHandlers
from services.migration.owner_handlers import OwnerHandlers
from services.platform.clock import Clock
from services.platform.consuming.consumer import Consumer, Handler
from services.platform.eventstore.event_store import VERDICT_FROM

CONSUMER_NAME = "migration"


def consumer(clock: Clock, *, announce: bool = True) -> Consumer:
    """`announce=False` for a rebuild: nothing replayed is announced again."""
    world, owner = WorldHandlers(clock, announce), OwnerHandlers(clock, announce)
    handlers: dict[str, Handler] = {
        ContractAwarded.event_type: world.contract_awarded,
        ContractAmended.event_type: world.contract_amended,
        ContractTerminated.event_type: world.contract_terminated,
        SubcontractRequested.event_type: world.subcontract_requested,
        SubcontractApproved.event_type: world.subcontract_decided,
        SubcontractRejected.event_type: world.subcontract_decided,
        EligibilityChanged.event_type: world.eligibility_changed,
        CertificateSubmitted.event_type: world.certificate_submitted,
        MigrationPlanRequested.event_type: owner.plan_requested,
        MigrationPlanWithdrawn.event_type: owner.plan_withdrawn,
        MigrationPlanConfigured.event_type: owner.plan_configured,
        MigrationItemConfigured.event_type: owner.item_configured,
        MigrationReplacementChosen.event_type: owner.replacement_chosen,
        MigrationChecklistUpdated.event_type: owner.checklist_updated,
        MigrationItemStatusChanged.event_type: owner.item_status_changed,
    }
    return Consumer(
        CONSUMER_NAME,
        handlers,
        # Plans follow only what the registry accepted.
        verdict_from=VERDICT_FROM,
        # Contract awards set-based; the handlers for the rest and to find an event at fault.
        apply_all=MigrationBatch(handlers).apply_all,
        # A plan's items depend on other vendors' eligibility as it stood when each owner's
        # event came (a replacement barred before a milestone refuses it): the order it
        # applied the partitions in is part of its result, which a rebuild repeats.
        records_order=True,
    )
