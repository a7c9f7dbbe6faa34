"""What an OCDS import makes (pure): its events' envelopes, with ids that depend only on what
they say, and what became of every party, award and contract, tallied as the mapping goes.

The tally holds counts, not the outcomes themselves: a package of a million releases has
millions of parties, awards and contracts. It keeps every refusal (the report lists them, as a
list import's keeps its refused rows) and the first `shown` lines worth telling the user (the
refusals, the awards and contracts not imported with their reason, and those applied but
for part of what the file says).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from services.events.base import EventEnvelope, Payload
from services.events.catalog import ENVELOPES, SCHEMA_VERSION
from services.events.contract import ContractAmended, ContractAwarded, ContractTerminated
from services.events.vendor import VendorRegistered

SOURCE = "import.ocds"
NAMESPACE = uuid.UUID("5d0c2b57-8a8e-4f0e-9a3b-0c7d3b1e6a42")


def envelope(name: str, at: dt.datetime, vendor: str, payload: Payload) -> EventEnvelope:
    """The event of `payload`, its id uuid5 of `name` (what the event is)."""
    return ENVELOPES[payload.event_type](
        event_id=uuid.uuid5(NAMESPACE, name),
        event_type=payload.event_type,
        schema_version=SCHEMA_VERSION,
        occurred_at=at,
        source=SOURCE,
        vendor_id=vendor,
        payload=payload,
    )


class Outcome(StrEnum):
    APPLIED = "applied"  # a vendor; a contract (its events); an award (by its contracts)
    # A contract (an award) recorded already as the file says it, a party whose vendor the
    # registry has already (nothing is sent for it): a file imported again.
    UNCHANGED = "unchanged"
    NOT_IMPORTED = "not imported"  # by rule: not a vendor, no contract, cancelled
    REFUSED = "refused"  # what it says cannot become a catalog event


@dataclass(frozen=True)
class Accounted:
    """What became of one party, award or contract of the package."""

    kind: str  # party, award, contract
    ocid: str
    path: str  # in the package: "releases[3].awards[0]"
    outcome: Outcome
    # Why not imported or refused; for one applied, what of the file was left out.
    reason: str = ""

    def __str__(self) -> str:
        return f"{self.path} ({self.ocid}): {self.reason}"

    @property
    def noted(self) -> bool:
        """Worth telling: refused, an award or contract not imported (a party that is not a
        vendor, such as every buyer, is not news), or one applied but for part of what the
        file says."""
        return (
            self.outcome is Outcome.REFUSED
            or (self.outcome is Outcome.NOT_IMPORTED and self.kind != "party")
            or (self.outcome is Outcome.APPLIED and bool(self.reason))
        )


@dataclass
class Tally:
    """An OCDS import's counts so far (module docstring)."""

    shown: int = 20  # the noted lines kept
    processes: int = 0
    vendors_registered: int = 0
    vendors_known: int = 0  # in the registry already (by id or by an identifier)
    contracts_awarded: int = 0  # contract records (one per supplier)
    amended: int = 0
    terminated: int = 0
    outcomes: Counter[tuple[str, Outcome]] = field(default_factory=Counter)
    refused: list[Accounted] = field(default_factory=list)
    noted: list[Accounted] = field(default_factory=list)  # the first `shown`
    noted_count: int = 0

    def account(self, accounted: Accounted) -> None:
        self.outcomes[accounted.kind, accounted.outcome] += 1
        if accounted.outcome is Outcome.REFUSED:
            self.refused.append(accounted)
        if accounted.noted:
            self.noted_count += 1
            if len(self.noted) < self.shown:
                self.noted.append(accounted)

    def made(self, event: EventEnvelope) -> None:
        """Counts an event the mapping made (a contract record per supplier)."""
        payload = event.payload
        if isinstance(payload, VendorRegistered):
            self.vendors_registered += 1
        elif isinstance(payload, ContractAwarded):
            self.contracts_awarded += 1
        elif isinstance(payload, ContractAmended):
            self.amended += 1
        elif isinstance(payload, ContractTerminated):
            self.terminated += 1

    def count(self, kind: str, outcome: Outcome) -> int:
        return self.outcomes[kind, outcome]
