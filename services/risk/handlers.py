"""Risk handlers: record the events that bear on vendors' risk, re-score those vendors, and
announce significant moves (risk.changed) through the outbox."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from services.events.base import EventEnvelope
from services.events.catalog import new_event
from services.events.compliance import CertificateSubmitted
from services.events.contract import (
    ContractAmended,
    ContractAwarded,
    ContractTerminated,
    SubcontractApproved,
    SubcontractRejected,
    SubcontractRequested,
)
from services.events.emitted import RiskChanged
from services.events.incident import IncidentClosed, IncidentInvestigated, IncidentReported
from services.events.sanction import (
    ClaimFiled,
    ClaimSettled,
    SanctionAmended,
    SanctionImposed,
    SanctionLifted,
)
from services.platform.clock import Clock
from services.platform.consumer import Consumer
from services.platform.database import Connection
from services.platform.outbox import Outbox
from services.risk import repository
from services.risk.facts import effective_day, fold
from services.risk.model import RiskModel
from services.risk.scoring import (
    CRITICAL_CRITICALITIES,
    RiskScore,
    moved_factors,
    score,
    should_announce,
)

CONSUMER_NAME = "risk"
SOURCE = "vendorwatch.risk"
OUTBOX = Outbox("risk_outbox")

# The events that can move a score.
RELEVANT = (
    IncidentReported,
    IncidentInvestigated,
    IncidentClosed,
    SanctionImposed,
    SanctionAmended,
    SanctionLifted,
    ClaimFiled,
    ClaimSettled,
    ContractAwarded,
    ContractAmended,
    ContractTerminated,
    SubcontractRequested,
    SubcontractApproved,
    SubcontractRejected,
    CertificateSubmitted,
)


def risk_changed_event(
    vendor_id: str, old: RiskScore | None, new: RiskScore, now: dt.datetime
) -> EventEnvelope:
    payload = RiskChanged(
        model_version=new.model_version,
        old_score=old.score if old else None,
        new_score=new.score,
        old_band=old.band if old else None,
        new_band=new.band,
        moved_factors=moved_factors(old, new),
    )
    return new_event(payload, vendor_id=vendor_id, source=SOURCE, occurred_at=now)


@dataclass(frozen=True)
class RiskService:
    clock: Clock
    model: RiskModel
    announce: bool = True  # off while rebuilding: a replay must not announce history again

    async def evaluate(
        self, conn: Connection, vendor_id: str, as_of: dt.date, up_to_seq: int | None = None
    ) -> RiskScore:
        """A vendor's score as of a day, from the events recorded (up to a point of the log)."""
        facts = fold(vendor_id, await repository.events_of(conn, vendor_id, up_to_seq), as_of)
        totals = await repository.agency_critical_totals(conn, as_of)
        return score(facts, as_of, self.model, totals)

    async def refresh(self, conn: Connection, vendor_ids: Sequence[str]) -> list[str]:
        """Re-scores these vendors for today; announces significant moves. Returns those."""
        today, now = self.clock.today(), self.clock.now()
        await repository.lock_vendors(conn, vendor_ids)
        last_announced = await repository.announced(conn, vendor_ids)
        announced = []
        for vendor_id in sorted(vendor_ids):
            new = await self.evaluate(conn, vendor_id, today)
            await repository.set_current(conn, vendor_id, today, new)
            old = last_announced.get(vendor_id)
            if should_announce(old, new, self.model):
                # During a rebuild the state is recorded but nothing is said again.
                if self.announce:
                    await OUTBOX.put(conn, [risk_changed_event(vendor_id, old, new, now)])
                await repository.set_announced(conn, vendor_id, new)
                announced.append(vendor_id)
        return announced

    async def apply(self, conn: Connection, event: EventEnvelope) -> None:
        subjects = await self._subjects(conn, event)
        seq = await repository.add_event(conn, event, subjects)
        await self._track_contract(conn, event)
        day = effective_day(event.payload, event.occurred_at.date())
        for vendor_id in sorted(subjects):
            after = await self.evaluate(conn, vendor_id, day, seq)
            await repository.record_history(conn, vendor_id, seq, day, after)
        await self.refresh(conn, sorted(subjects))

    async def _subjects(self, conn: Connection, event: EventEnvelope) -> set[str]:
        payload = event.payload
        subjects = {event.vendor_id}
        if isinstance(payload, IncidentReported):
            # The subcontractor that caused it answers for it too (on its own record).
            if payload.caused_by_vendor_id:
                subjects.add(payload.caused_by_vendor_id)
            await repository.add_incident_subjects(
                conn, event.vendor_id, payload.incident_id, subjects
            )
        elif isinstance(payload, IncidentInvestigated | IncidentClosed):
            subjects |= set(
                await repository.incident_subjects(conn, event.vendor_id, payload.incident_id)
            )
        return subjects

    async def _track_contract(self, conn: Connection, event: EventEnvelope) -> None:
        payload = event.payload
        if isinstance(payload, ContractAwarded):
            await repository.put_contract(
                conn,
                payload.contract_id,
                event.vendor_id,
                payload.agency,
                payload.criticality in CRITICAL_CRITICALITIES,
                payload.starts_on,
                payload.ends_on,
            )
        elif isinstance(payload, ContractAmended) and payload.ends_on is not None:
            await repository.set_contract_end(conn, payload.contract_id, payload.ends_on)
        elif isinstance(payload, ContractTerminated):
            await repository.set_contract_end(
                conn, payload.contract_id, payload.terminated_on, only_earlier=True
            )


def risk_consumer(service: RiskService) -> Consumer:
    return Consumer(CONSUMER_NAME, {kind.event_type: service.apply for kind in RELEVANT})
