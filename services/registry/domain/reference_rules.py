"""Whether the records an incident or a claim names are ones the registry knows (pure).

An incident names the contract it happened under and, when a subcontractor caused it, that
vendor; a claim names its incident and its contract. The risk service counts an incident
against its causer and a claim against its vendor, so a name the registry does not know
would give a vendor nobody registered a risk score, or tie a claim to another vendor's
contract; a claim filed before its incident occurred is refused as well (record_dates). The
registry refuses such an event, in its handlers (records.py) and its batches
(batch/rules.py) alike, for events recorded from the later rules on (later_rules).

A contract or incident named must be the event's vendor's own: they travel in its partition,
so the registry has judged them before. A causing vendor is another vendor, whose events
travel in another partition: in distributed mode the registry may well judge the incident
before a registration sent just before it (in the same file, say). So a causer counts as
known when the registry holds it, or when the log recorded its registration no later than
the incident: a property of the log, which a rebuild reads alike. A registration appended
with the incident (one ingest batch, one `recorded_at`) counts whatever its line: in
distributed mode ingest reads the vendors' partitions in no order Kafka keeps, so positions
within an append do not tell which the producer sent first. (A registration the registry
then refuses, an identifier clash, leaves such an incident naming a vendor it does not
hold.)

The API's receipt asks the same rules (`reference_problem`, read by
registry/reads/record_references.py) and refuses what would be refused whatever the log
brings after: another vendor's contract, a claim filed before its incident occurred. A
record named but not on record passes there, as its creating event may be on its way; one
whose creation the log does not hold either is refused by the receipt's checks of what the
log holds (`unknown_causer` by reads/known_vendors.py, `unknown_incident` and the contract's
`unknown_contract` by reads/unknown_records.py), in these words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from services.events.base import EventEnvelope
from services.events.catalog import Problem
from services.events.incident import IncidentReported
from services.events.sanction import ClaimFiled
from services.platform.eventstore.later_rules import judged_by_later_rules
from services.registry.domain.contract_rules import unknown_contract
from services.registry.domain.known_vendors import unknown_vendor_refusal
from services.registry.domain.record_dates import claim_refusal
from services.registry.domain.refusals import Refusal, problem, reason

IncidentKey = tuple[str, str]  # (vendor_id, incident_id)


class IncidentState(NamedTuple):
    """What an investigation or a closing of an incident is judged against."""

    occurred_on: dt.date
    closed: bool


@dataclass(frozen=True)
class Named:
    """The records some events name besides their own vendor."""

    vendors: frozenset[str] = frozenset()
    contracts: frozenset[str] = frozenset()
    incidents: frozenset[IncidentKey] = frozenset()


def named(events: Iterable[EventEnvelope]) -> Named:
    """What `reference_refusal` will ask about these events."""
    vendors: set[str] = set()
    contracts: set[str] = set()
    incidents: set[IncidentKey] = set()
    for event in events:
        payload = event.payload
        if isinstance(payload, IncidentReported | ClaimFiled) and payload.contract_id:
            contracts.add(payload.contract_id)
        if isinstance(payload, IncidentReported) and payload.caused_by_vendor_id:
            vendors.add(payload.caused_by_vendor_id)
        if isinstance(payload, ClaimFiled) and payload.incident_id:
            incidents.add((event.vendor_id, payload.incident_id))
    return Named(frozenset(vendors), frozenset(contracts), frozenset(incidents))


@dataclass(frozen=True)
class Known:
    """What the registry knows of the records named (a batch adds what its events record)."""

    registered: Collection[str]
    contract_owners: Mapping[str, str]  # contract id → the vendor it was awarded to
    incidents: Mapping[IncidentKey, dt.date]  # → the day it occurred
    # When the log first recorded a registration of each named vendor that has one.
    logged: Mapping[str, dt.datetime] = field(default_factory=dict)

    def knows_vendor(self, vendor_id: str, recorded_at: dt.datetime) -> bool:
        """Whether the vendor is registered, or its registration was recorded by then."""
        logged = self.logged.get(vendor_id)
        return vendor_id in self.registered or (logged is not None and logged <= recorded_at)


def unknown_causer(vendor_id: str) -> Refusal:
    """An incident caused by a vendor the registry does not know: its code and reason."""
    return unknown_vendor_refusal(vendor_id, "payload.caused_by_vendor_id")


def unknown_incident(vendor_id: str, incident_id: str) -> Refusal:
    """A claim for, or a step on, an incident the vendor does not have: its code and reason."""
    said = f"vendor {vendor_id!r} has no incident {incident_id!r}"
    return "unknown_incident", f"payload.incident_id: {said}"


def _refusals(event: EventEnvelope, known: Known, recorded_at: dt.datetime) -> Iterator[Refusal]:
    """Every reason the registry has to refuse an incident report or a claim, recorded by the
    log at `recorded_at`, for what it names, in the order it gives them, with their codes."""
    payload = event.payload
    vendor_id = event.vendor_id
    if isinstance(payload, IncidentReported):
        causer = payload.caused_by_vendor_id
        if causer is not None and not known.knows_vendor(causer, recorded_at):
            yield unknown_causer(causer)
    elif isinstance(payload, ClaimFiled):
        incident = payload.incident_id
        if incident is not None:
            occurred_on = known.incidents.get((vendor_id, incident))
            if occurred_on is None:
                yield unknown_incident(vendor_id, incident)
            elif refusal := claim_refusal(payload.filed_on, incident, occurred_on):
                yield "before_occurred", refusal
    else:
        return
    if (contract := _contract_refusal(vendor_id, payload.contract_id, known)) is not None:
        yield contract


def reference_refusal(event: EventEnvelope, known: Known, recorded_at: dt.datetime) -> str | None:
    """Why the registry refuses an incident report or a claim, recorded by the log at
    `recorded_at`, for what it names; None when it names nothing, or only records it knows."""
    return reason(next(_refusals(event, known, recorded_at), None))


# What is named but not on record: the event recording it may still be on its way to the
# registry (sent a moment before, without waitForProcessing), so this check leaves it be, to
# the checks that read the log too (the module's docstring).
_NOT_ON_RECORD = frozenset({"unknown_vendor", "unknown_incident", "unknown_contract"})


def reference_problem(event: EventEnvelope, known: Known, now: dt.datetime) -> Problem | None:
    """The API's check of an incident report or a claim recorded `now`, against the records
    it names as the registry holds them (`known`): the first reason the registry would
    refuse it for, in its words with their code, that stands whatever comes after (another
    vendor's contract, a claim filed before its incident occurred: a contract's vendor and
    an incident's day never change); a record not on record passes."""
    if not judged_by_later_rules(now):
        return None
    standing = (r for r in _refusals(event, known, now) if r[0] not in _NOT_ON_RECORD)
    return problem(next(standing, None))


def _contract_refusal(vendor_id: str, contract_id: str | None, known: Known) -> Refusal | None:
    if contract_id is None:
        return None
    owner = known.contract_owners.get(contract_id)
    if owner is None:
        return unknown_contract(vendor_id, contract_id)
    if owner != vendor_id:
        return "other_vendors_contract", (
            f"payload.contract_id: contract {contract_id!r} belongs to vendor {owner!r},"
            f" not {vendor_id!r}"
        )
    return None


def settlement_refusal(settled_on: dt.date, filed_on: dt.date) -> str | None:
    """Why a claim cannot be settled on that day: not before it was filed."""
    if settled_on < filed_on:
        return f"payload.settled_on: {settled_on} is before the claim was filed, on {filed_on}"
    return None
