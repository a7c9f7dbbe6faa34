"""Which of a batch's events the registry may apply set-based, and what applying them one by
one in log order would write (pure; handler.py does the I/O).

The set-based part covers the frequent events whose outcome depends only on vendors being
registered and on records' ids: registrations, new contracts, incidents, claims and
certificates, and incidents investigated or closed. They are applied first, all together;
then the sanction events that may go set-based (sanction_rules.py), all together; the batch's
other events then go through their own handlers, in log order. That moves a set-based event
ahead of the other events logged before it, which is only allowed when they cannot see each
other:

- no handler of another event type creates a vendor or one of these records, so it is enough
  that a record's vendor is none that an earlier other event touched (its vendor, an
  affiliate it re-screens, the vendor an incident says caused it), and that no earlier
  vendor.updated moved identifiers a registration might claim;
- a sanction event reads and writes sanctions, announced states, announcements and the change
  feed of the vendors it re-screens (its vendor and every vendor ever affiliated with it):
  none of them may be one an earlier other event touched, and no earlier other event may have
  announced anything (affiliation changes, sanction events), so that the outbox keeps the
  log's order. Records neither read nor write what a sanction event does, so they still go
  first when a sanction event of their vendor comes before them; a registration of a vendor
  it re-screens may not.

An event that may not go first goes with the others, and its vendor's later events too.

`fold` then checks, in log order and with what the database held before the batch, every
condition that would refuse one of the records (the records an incident or a claim names
among them, domain/reference_rules.py, and their days, domain/record_dates.py), and raises
`DomainRejection` on the first: the consumer then applies the batch event by event, which
refuses exactly the faulty one. Id clashes with stored records are left to the tables' keys,
which raise just the same.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from services.events.base import EventEnvelope
from services.events.contract import ContractAwarded, SubcontractRequested
from services.events.incident import IncidentClosed, IncidentInvestigated, IncidentReported
from services.events.match_review import MatchDecision, VendorMatchReviewed
from services.events.sanction import ClaimFiled
from services.events.vendor import VendorAffiliationChanged, VendorRegistered, VendorUpdated
from services.platform.consuming.consumer import DomainRejection
from services.platform.eventstore.later_rules import (
    judged_by_fourth_rules,
    judged_by_later_rules,
)
from services.registry.batch.sanction_rules import SANCTIONS, reach
from services.registry.domain.names import IdentifierKey
from services.registry.domain.record_dates import future_refusal, step_refusal
from services.registry.domain.record_ids import registered_refusal
from services.registry.domain.reference_rules import (
    IncidentKey,
    IncidentState,
    Known,
    reference_refusal,
)
from services.registry.domain.refusals import reason
from services.registry.records import INCIDENT_STEPS, incident_step
from services.registry.storage.new_records import NEW_RECORDS
from services.registry.storage.record_repository import IncidentStatus
from services.registry.storage.vendor_repository import VendorRow

REGISTERED = VendorRegistered.event_type
REPORTED = IncidentReported.event_type
AWARDED = ContractAwarded.event_type
# New records that may name others (reference_rules): judged by when the log recorded them.
NAMING = frozenset({REPORTED, ClaimFiled.event_type})
# New records whose only conditions are a registered vendor and a new id; a subcontract
# depends on its contract's and parent's state, so it goes with the others.
TOGETHER_RECORDS = frozenset(NEW_RECORDS) - {SubcontractRequested.event_type}
TOGETHER = frozenset({REGISTERED, *TOGETHER_RECORDS, *INCIDENT_STEPS})
# Events whose handlers may announce (write the outbox).
ANNOUNCING = frozenset({*SANCTIONS, VendorAffiliationChanged.event_type})


@dataclass(frozen=True)
class Plan:
    together: tuple[EventEnvelope, ...]  # applied first, set-based
    sanctions: tuple[EventEnvelope, ...]  # then these sanction events, set-based
    one_by_one: tuple[EventEnvelope, ...]  # then each by its handler, in log order


def _touched(event: EventEnvelope) -> set[str]:
    """The vendors whose state an event's handler reads or writes (affiliates aside): an
    incident's handler reads whether the vendor that caused it is registered, so that
    vendor's registration later in the batch may not go first."""
    payload = event.payload
    if isinstance(payload, VendorAffiliationChanged):
        return {event.vendor_id, payload.related_vendor_id}
    if isinstance(payload, IncidentReported) and payload.caused_by_vendor_id:
        return {event.vendor_id, payload.caused_by_vendor_id}
    return {event.vendor_id}


def _gives_identifiers(event: EventEnvelope) -> bool:
    """Whether an event's handler may give a vendor identifiers: a registration later in the
    batch must then wait for it, or it could take one of them first."""
    payload = event.payload
    if isinstance(payload, VendorUpdated):
        return payload.identifiers is not None
    if isinstance(payload, VendorMatchReviewed):
        return payload.decision is MatchDecision.CONFIRMED and payload.bidder_identifier is not None
    return False


def vendors_to_screen(events: Sequence[EventEnvelope]) -> list[str]:
    """The vendors whose stored affiliates (both ways) `plan` needs: those registered in a
    batch that also holds events applied one by one (an event about an affiliate re-screens
    them), and those of sanction events (they re-screen their affiliates)."""
    if all(e.event_type in TOGETHER for e in events):
        return []
    return sorted(
        {e.vendor_id for e in events if e.event_type == REGISTERED or e.event_type in SANCTIONS}
    )


def plan(events: Sequence[EventEnvelope], affiliates: Mapping[str, Collection[str]]) -> Plan:
    """Splits a batch (in log order); `affiliates`: the stored ones of the vendors of
    `vendors_to_screen`, both ways."""
    together: list[EventEnvelope] = []
    sanctions: list[EventEnvelope] = []
    one_by_one: list[EventEnvelope] = []
    touched: set[str] = set()  # by the events so far applied one by one
    screened: set[str] = set()  # by the sanction events so far applied set-based
    identifiers_moved = announced = False
    for event in events:
        vendor_id = event.vendor_id
        if event.event_type in TOGETHER and vendor_id not in touched:
            if event.event_type != REGISTERED or (
                not identifiers_moved
                and vendor_id not in screened
                and touched.isdisjoint(affiliates.get(vendor_id, ()))
            ):
                together.append(event)
                continue
        elif event.event_type in SANCTIONS and not announced:
            rescreened = reach(vendor_id, affiliates)
            if touched.isdisjoint(rescreened):
                sanctions.append(event)
                screened |= rescreened
                continue
        one_by_one.append(event)
        touched |= _touched(event)
        announced |= event.event_type in ANNOUNCING
        identifiers_moved |= _gives_identifiers(event)
    return Plan(tuple(together), tuple(sanctions), tuple(one_by_one))


@dataclass(frozen=True)
class Stored:
    """What the database held before the batch, of what the set-based events depend on."""

    vendors: frozenset[str]  # registered
    identifier_owners: Mapping[IdentifierKey, str]
    incidents: Mapping[IncidentKey, IncidentState]  # the stored incidents asked about
    named: Known  # of the records the incidents and claims name (reference_rules.named)


@dataclass
class JsonRows:
    """New rows of one table, each a JSON object of these columns (named as in the table)."""

    columns: tuple[str, ...]
    rows: list[str] = field(default_factory=list)

    def array(self) -> str:
        return f"[{','.join(self.rows)}]"


def record_json(event: EventEnvelope) -> str:
    """A new record's row as a JSON object: its vendor, the payload's fields, its event id.
    The payload is written by its model's own serializer, once: the keys and JSON values
    `json.dumps(payload.model_dump(mode="json"))` gave, without making the dictionary and
    encoding it again."""
    payload = event.payload.model_dump_json()
    vendor_id = json.dumps(event.vendor_id, ensure_ascii=False)
    return f'{{"vendor_id":{vendor_id},{payload[1:-1]},"event_id":"{event.event_id}"}}'


def record_columns(event: EventEnvelope) -> tuple[str, ...]:
    """The columns `record_json` writes for this event's type."""
    return ("vendor_id", *type(event.payload).model_fields, "event_id")


@dataclass
class Writes:
    """What applying the events one by one would write, grouped by table."""

    # Registrations: the vendor, its event, when the log recorded it.
    vendors: list[tuple[VendorRow, uuid.UUID, dt.datetime]] = field(default_factory=list)
    # New records by table (`record_json`).
    records: dict[str, JsonRows] = field(default_factory=dict)
    # The incidents' columns investigations and closings set (the later ones win).
    incident_steps: dict[IncidentKey, dict[str, Any]] = field(default_factory=dict)


def incident_key(event: EventEnvelope) -> IncidentKey:
    payload = cast(IncidentReported | IncidentInvestigated | IncidentClosed, event.payload)
    return event.vendor_id, payload.incident_id


def stored_incidents_asked(events: Iterable[EventEnvelope]) -> list[IncidentKey]:
    """The incidents investigated or closed that the events do not report themselves."""
    reported = {incident_key(e) for e in events if e.event_type == REPORTED}
    asked = {incident_key(e) for e in events if e.event_type in INCIDENT_STEPS}
    return sorted(asked - reported)


def registrations(events: Iterable[EventEnvelope]) -> dict[uuid.UUID, VendorRow]:
    """The vendors the registrations among `events` describe, by event: made once, so that a
    registration's identifiers are normalised once (for the owners' look-up and the fold)."""
    return {
        e.event_id: VendorRow.registered(e.vendor_id, cast(VendorRegistered, e.payload))
        for e in events
        if e.event_type == REGISTERED
    }


def fold(
    events: Sequence[EventEnvelope],
    stored: Stored,
    recorded: Mapping[uuid.UUID, dt.datetime],
    vendors: Mapping[uuid.UUID, VendorRow],
) -> Writes:
    """The writes of `plan(...).together`, in log order; `recorded`: when the log recorded
    each registration, award, each event of `NAMING` and each investigation or closing;
    `vendors`: `registrations(events)`."""
    writes = Writes()
    registered = set(stored.vendors) | set(stored.named.registered)
    owners = dict(stored.identifier_owners)
    steps = dict(stored.incidents)  # the incidents investigated or closed, as they stand
    # What the incidents and claims may name: the stored records, then the batch's own.
    contract_owners = dict(stored.named.contract_owners)
    incidents = dict(stored.named.incidents)
    known = Known(registered, contract_owners, incidents, stored.named.logged)
    for event in events:
        vendor_id = event.vendor_id
        if event.event_type == REGISTERED:
            if vendor_id in registered:
                # The handler's and the receipt's words (record_ids.py).
                DomainRejection.if_any(reason(registered_refusal(vendor_id)))
            vendor = vendors[event.event_id]
            for identifier in vendor.identifiers:
                if owners.setdefault(identifier, vendor_id) != vendor_id:
                    raise DomainRejection(f"payload.identifiers: {identifier} has an owner")
            registered.add(vendor_id)
            writes.vendors.append((vendor, event.event_id, recorded[event.event_id]))
        elif vendor_id not in registered:
            raise DomainRejection(f"vendor_id: unknown vendor {vendor_id!r}")
        elif event.event_type in INCIDENT_STEPS:
            key = incident_key(event)
            incident = steps.get(key)
            if incident is None or incident.closed:
                raise DomainRejection(f"payload.incident_id: {key} is unknown or closed")
            at = recorded[event.event_id]
            if judged_by_later_rules(at):
                DomainRejection.if_any(future_refusal(event, at))
                DomainRejection.if_any(step_refusal(event, incident.occurred_on))
            step = incident_step(event, as_json=True)
            closed = step["status"] == IncidentStatus.CLOSED
            steps[key] = incident._replace(closed=closed)
            writes.incident_steps.setdefault(key, {}).update(step)
        else:
            if event.event_type in NAMING:
                at = recorded[event.event_id]
                if judged_by_later_rules(at):
                    DomainRejection.if_any(future_refusal(event, at))
                    DomainRejection.if_any(reference_refusal(event, known, at))
            elif event.event_type == AWARDED:
                at = recorded[event.event_id]
                if judged_by_fourth_rules(at):
                    DomainRejection.if_any(future_refusal(event, at))
            table, _ = NEW_RECORDS[event.event_type]
            if table not in writes.records:
                writes.records[table] = JsonRows(record_columns(event))
            writes.records[table].rows.append(record_json(event))
            if event.event_type == REPORTED:
                # A second report of it fails on the table's key.
                occurred_on = cast(IncidentReported, event.payload).occurred_on
                steps.setdefault(incident_key(event), IncidentState(occurred_on, closed=False))
                incidents.setdefault(incident_key(event), occurred_on)
            elif event.event_type == AWARDED:
                contract_id = cast(ContractAwarded, event.payload).contract_id
                contract_owners.setdefault(contract_id, vendor_id)
    return writes
