"""Risk handlers: record the events that bear on vendors' risk, fold them into the vendors'
states, score those vendors, and announce significant moves (risk.changed) through the outbox.

A batch of events is applied in a fixed number of statements, whatever its size: the states
of every vendor it touches are loaded at once, the events folded and scored in memory in log
order, and everything written back with one statement per table (`RiskService.apply_batch`).
The only statements per event are for what is not in memory: the events of items asked about
a day before one of them counts (an out-of-order event; see fold.py), and the counters of an
agency first met there. The per-event handler is a batch of one.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from services.events.base import EventEnvelope
from services.events.catalog import EMITTED_BY, new_event
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
from services.platform.consuming.consumer import Consumer
from services.platform.consuming.outbox import Outbox
from services.platform.eventlog.base import Writer
from services.platform.eventstore.event_store import VERDICT_FROM
from services.platform.eventstore.recorded_time import recorded_times
from services.platform.off_the_loop import Turns
from services.platform.postgres.database import Connection
from services.risk.domain.concentration import (
    ContractRow,
    CriticalTotals,
    DayChanges,
    contract_after,
    day_changes,
    moved_today,
)
from services.risk.domain.contract_index import ContractIndex, IndexMemo
from services.risk.domain.factor_memo import FactorMemo
from services.risk.domain.facts import VendorState, effective_day, item_of
from services.risk.domain.fold import facts_on, fold_one, stale_items
from services.risk.domain.model import RiskModel
from services.risk.domain.risk_score import RiskScore, moved_factors, should_announce
from services.risk.domain.scoring import CRITICAL_CRITICALITIES, score
from services.risk.storage import history_marks, moved_agencies, repository, state_storage
from services.risk.storage.state_storage import StateMemo

CONSUMER_NAME = repository.CONSUMER_NAME
SOURCE = EMITTED_BY[RiskChanged.event_type]
OUTBOX = Outbox("risk_outbox", Writer.RISK)

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
_CONTRACT_EVENTS = (ContractAwarded, ContractAmended, ContractTerminated)
_BY_RECORDED_RULES = (ClaimFiled, IncidentInvestigated)


def risk_changed_event(
    vendor_id: str, old: RiskScore | None, new: RiskScore, as_of: dt.date, now: dt.datetime
) -> EventEnvelope:
    """The announcement of `new`, the vendor's score of `as_of`."""
    payload = RiskChanged(
        model_version=new.model_version,
        old_score=old.score if old else None,
        new_score=new.score,
        old_band=old.band if old else None,
        new_band=new.band,
        moved_factors=moved_factors(old, new),
        as_of=as_of,
    )
    return new_event(payload, vendor_id=vendor_id, source=SOURCE, occurred_at=now)


@dataclass
class _Scores:
    """Current scores and announcements decided in memory, written at the end."""

    announced: dict[str, RiskScore]  # the last announced per vendor, as loaded then updated
    current: dict[str, RiskScore] = field(default_factory=dict)
    # Per vendor whose current score is points only, the agencies' totals it used: what
    # reading it needs to derive its evidence (current_scores.py).
    current_totals: dict[str, dict[str, int]] = field(default_factory=dict)
    newly_announced: dict[str, RiskScore] = field(default_factory=dict)
    outbox: list[EventEnvelope] = field(default_factory=list)


@dataclass(frozen=True)
class RiskService:
    clock: Clock
    model: RiskModel
    # Off while rebuilding: a replay must not announce history again, and what was announced
    # (the last score said per vendor, what the next announcement is measured from) stays.
    announce: bool = True
    # Off while rebuilding too: a batch locks its vendors against a concurrent re-scoring
    # until its transaction ends, and a rebuild's is one transaction for the whole log (one
    # lock per vendor held to the end: PostgreSQL's lock table holds some thousands). Nothing
    # else re-scores meanwhile: the rebuild holds the consumer's and the refresh's locks.
    lock_vendors: bool = True
    # Factors of the last scores, reused while what they read is unchanged (in memory only).
    memo: FactorMemo = field(default_factory=FactorMemo, compare=False, repr=False)
    # The states this process wrote last, reused while nobody else wrote since.
    states: StateMemo = field(default_factory=StateMemo, compare=False, repr=False)
    # Their contract indexes (contract_index.py).
    indexes: IndexMemo = field(default_factory=IndexMemo, compare=False, repr=False)

    async def evaluate(self, conn: Connection, vendor_id: str, as_of: dt.date) -> RiskScore:
        """A vendor's score as of a day, from everything recorded about it."""
        states = await state_storage.load(conn, [vendor_id], self.states)
        totals = await _load_totals(conn, states.values(), ())
        return await self._score(conn, states[vendor_id], as_of, totals)

    async def refresh(self, conn: Connection, vendor_ids: Sequence[str]) -> list[str]:
        """Re-scores these vendors for today; announces significant moves. Returns those."""
        if self.lock_vendors:
            await repository.lock_vendors(conn, vendor_ids)
        states = await state_storage.load(conn, vendor_ids, self.states)
        announced = await repository.announced(conn, vendor_ids)
        totals = await _load_totals(conn, states.values(), ())
        scores = _Scores(announced)
        today, now = self.clock.today(), self.clock.now()
        turns = Turns()  # a hundred vendors scored in full: the loop is shared, as below
        for vendor_id in sorted(states):
            await turns.give()
            current = await self._score(conn, states[vendor_id], today, totals)
            self._decide(scores, vendor_id, current, today, now)
        await self._write_scores(conn, scores, today)
        return sorted(scores.newly_announced)

    async def apply(self, conn: Connection, event: EventEnvelope) -> None:
        await self.apply_batch(conn, [event])

    async def apply_batch(self, conn: Connection, events: Sequence[EventEnvelope]) -> None:
        """Applies events (in log order, or a replay's in the order live processing applied
        them; already claimed in the ledger) in one go: a risk
        history entry per event and subject vendor, for the event's day, the current scores,
        the announcements, all as if applied one by one.

        For the consumer: call it with a batch's events, inside the batch's transaction; an
        event the domain refuses raises for the whole batch, so on an event fault apply that
        batch again one event at a time (`apply`) to dead-letter only the faulty event.
        """
        events = [e for e in events if isinstance(e.payload, RELEVANT)]
        if not events:
            return
        items = [_item(e) for e in events]
        # A claim's filing and an investigation are folded by the rules of the instant the
        # log recorded them (fold.py).
        filed = [e.event_id for e in events if isinstance(e.payload, _BY_RECORDED_RULES)]
        recorded = await recorded_times(conn, filed, self.clock) if filed else {}
        subjects = await self._subjects(conn, events)
        seqs = await repository.add_events(conn, events, items, subjects)
        vendors = sorted({v for about in subjects for v in about})
        if self.lock_vendors:
            await repository.lock_vendors(conn, vendors)
        states = await state_storage.load(conn, vendors, self.states)
        before = dict(states)
        marking = await history_marks.marking(conn, vendors)
        announced = await repository.announced(conn, vendors) if self.announce else {}
        contract_ids = {
            e.payload.contract_id for e in events if isinstance(e.payload, _CONTRACT_EVENTS)
        }
        contracts: dict[str, ContractRow | None] = dict(
            await repository.contracts(conn, contract_ids) if contract_ids else {}
        )
        awarded = [e.payload.agency for e in events if isinstance(e.payload, ContractAwarded)]
        totals = await _load_totals(
            conn, states.values(), [*awarded, *(c.agency for c in contracts.values() if c)]
        )
        indexes = {vendor_id: self.indexes.of(states[vendor_id]) for vendor_id in vendors}
        counter_changes: DayChanges = Counter()
        history: list[repository.HistoryEntry] = []
        scores = _Scores(announced)
        today, now = self.clock.today(), self.clock.now()
        last = {
            vendor_id: seq for seq, about in zip(seqs, subjects, strict=True) for vendor_id in about
        }
        # A batch of 2,000 events is some 0.3 s of CPU: in embedded mode the API and the other
        # consumers share this loop, and would wait that long (ARCHITECTURE.md, "Cross-cutting
        # concerns", the event loop).
        turns = Turns()
        for event, seq, item, about in zip(events, seqs, items, subjects, strict=True):
            await turns.give()
            if isinstance(event.payload, _CONTRACT_EVENTS):
                contract_id = event.payload.contract_id
                old = contracts.get(contract_id)
                contracts[contract_id] = new = contract_after(old, event)
                changes = day_changes(old, new)
                totals.add(changes)
                counter_changes.update(changes)
            day = effective_day(event.payload, event.occurred_at.date())
            for vendor_id in sorted(about):
                was, index = states[vendor_id], indexes[vendor_id]
                state = states[vendor_id] = fold_one(was, event, recorded.get(event.event_id))
                marking.folded(vendor_id, seq, item, state)
                index.update(was, state, item)
                self.memo.moved(was, state, item, self.model)
                # The history row keeps the agencies' totals on the event's day (those
                # concentration asks for): reading derives the score after the event from
                # them and the vendor's events (history.py), so it is not scored here.
                used = totals.of(index.starts, day)
                history.append(
                    repository.HistoryEntry(vendor_id, seq, day, self.model.fingerprint, used)
                )
                # Today's score after each event decides its announcement (points only; the
                # evidence is derived when read). A replay announces nothing, so it needs only
                # the current score: the one after the vendor's last event.
                if self.announce or last[vendor_id] == seq:
                    current = await self._score(conn, state, today, totals, seq, index)
                    self._decide(scores, vendor_id, current, today, now)
                if last[vendor_id] == seq:
                    # The current score stands as of the vendor's last event, with the
                    # agencies' totals then (what the log decides, not where a batch ends, so
                    # a rebuild's larger batches give the live scores); its evidence is
                    # derived from them when read.
                    scores.current_totals[vendor_id] = totals.of(index.starts, today)
        if written := [c for c in contracts.values() if c is not None]:
            await repository.put_contracts(conn, written)
        if any(counter_changes.values()):
            await repository.add_critical_days(conn, counter_changes)
            if moved := moved_today(counter_changes, today):
                await moved_agencies.mark(conn, moved)
        await state_storage.save(conn, list(states.values()), before, self.states)
        for vendor_id, index in indexes.items():
            self.indexes.keep(states[vendor_id], index)
        await repository.record_history(conn, history)
        await history_marks.write(conn, marking)
        await self._write_scores(conn, scores, today)

    async def _score(
        self,
        conn: Connection,
        state: VendorState,
        day: dt.date,
        totals: CriticalTotals,
        up_to_seq: int | None = None,
        index: ContractIndex | None = None,
        *,
        evidence: bool = False,
    ) -> RiskScore:
        """The score on `day` from a state (pure), after fetching what memory lacks: the
        events of items that do not count yet on `day` (up to a point of the log), and the
        counters of agencies only those events name (`totals` has the state's own). Given
        the state's contract index, the long factors are points only (factor_memo.py),
        unless `evidence` is asked."""
        if not (stale := stale_items(state, day)):
            facts = facts_on(state, day)
            return self.memo.score(
                state, facts, day, self.model, totals.on(day), index, evidence=evidence
            )
        replayed, recorded = await repository.item_events(conn, state.vendor_id, stale, up_to_seq)
        named = (e.payload.agency for e in replayed if isinstance(e.payload, ContractAwarded))
        if missing := totals.missing(named):
            totals.load(missing, await repository.critical_days(conn, missing))
        return score(facts_on(state, day, replayed, recorded), day, self.model, totals.on(day))

    def _decide(
        self,
        scores: _Scores,
        vendor_id: str,
        current: RiskScore,
        today: dt.date,
        now: dt.datetime,
    ) -> None:
        """Records a vendor's current score; announces it if it moved enough since the last
        announcement. A rebuild announces nothing and leaves what was announced as it stands
        (`risk_announced` is a record of what was said, as `rebuild.reset` keeps it)."""
        scores.current[vendor_id] = current
        old = scores.announced.get(vendor_id)
        if self.announce and should_announce(old, current, self.model):
            scores.outbox.append(risk_changed_event(vendor_id, old, current, today, now))
            scores.announced[vendor_id] = scores.newly_announced[vendor_id] = current

    async def _write_scores(self, conn: Connection, scores: _Scores, today: dt.date) -> None:
        if scores.current:
            await repository.set_current(conn, scores.current, today, scores.current_totals)
        if scores.newly_announced:
            await repository.set_announced(conn, scores.newly_announced)
        if scores.outbox:
            await OUTBOX.put(conn, scores.outbox)

    async def _subjects(self, conn: Connection, events: Sequence[EventEnvelope]) -> list[set[str]]:
        """Per event, the vendors it bears on: the vendor it is about, and for an incident the
        subcontractor that caused it (who answers for it on its own record, as for its
        investigation and closing)."""
        asked = {
            (e.vendor_id, e.payload.incident_id)
            for e in events
            if isinstance(e.payload, IncidentInvestigated | IncidentClosed)
        }
        known = await repository.incident_subjects(conn, asked) if asked else {}
        added: list[tuple[str, str, str]] = []
        subjects = []
        for event in events:
            payload = event.payload
            about = {event.vendor_id}
            if isinstance(payload, IncidentReported):
                if payload.caused_by_vendor_id:
                    about.add(payload.caused_by_vendor_id)
                incident = (event.vendor_id, payload.incident_id)
                known[incident] = known.get(incident, set()) | about
                added += [(*incident, vendor_id) for vendor_id in sorted(about)]
            elif isinstance(payload, IncidentInvestigated | IncidentClosed):
                about |= known.get((event.vendor_id, payload.incident_id), set())
            subjects.append(about)
        if added:
            await repository.add_incident_subjects(conn, added)
        return subjects


async def _load_totals(
    conn: Connection, states: Iterable[VendorState], agencies: Iterable[str]
) -> CriticalTotals:
    """The counters a batch will need, in one statement: those of the agencies where these
    vendors hold critical contracts, and of `agencies` (those of the batch's contracts)."""
    wanted = set(agencies) | {
        c.agency
        for state in states
        for c in state.contracts.values()
        if c.criticality in CRITICAL_CRITICALITIES
    }
    totals = CriticalTotals()
    if wanted:
        totals.load(wanted, await repository.critical_days(conn, wanted))
    return totals


def _item(event: EventEnvelope) -> str:
    item = item_of(event.payload)
    if item is None:  # every RELEVANT event is about an item
        raise TypeError(f"{event.event_type} is about no item of a vendor's record")
    return item[0]


def risk_consumer(service: RiskService) -> Consumer:
    # Only what the registry accepted bears on risk: a refused sanction counts for nothing.
    return Consumer(
        CONSUMER_NAME,
        {kind.event_type: service.apply for kind in RELEVANT},
        verdict_from=VERDICT_FROM,
        apply_all=service.apply_batch,
    )
