"""Which of a batch's events the migration service may apply set-based (pure; handler.py does
the I/O).

The set-based part covers its most frequent event by far: a contract awarded to a vendor that
nothing bars. `WorldHandlers.contract_awarded` then writes the contract's row and nothing else
(`cover` finds the vendor eligible and stops), so such awards are written first, all in one
statement; the batch's other events then go through their own handlers, in log order.

Moving an award ahead of events logged before it is only allowed when neither can see the
other. The award reads only its vendor's announced eligibility, which only that vendor's
`vendor.eligibility_changed` writes. Its row is read by id (events naming the contract) or
among a vendor's running contracts: the contract's own vendor's (a plan opened by hand, or
`cover`, which reads nothing while the vendor is eligible) and its approved subcontractors'
(which needs a subcontract of that contract, stored or named by an earlier event). So an award
goes first only when its vendor is not barred before the batch and is the vendor of no earlier
event applied one by one, and its contract is unknown to the service before the batch (as a
contract or subcontracted) and named by no earlier event of the batch. Any other award goes
one by one, and so do its vendor's later events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from services.events.base import EventEnvelope
from services.events.contract import ContractAwarded
from services.migration.storage.contract_repository import ContractRow

AWARDED = ContractAwarded.event_type


@dataclass(frozen=True)
class Stored:
    """What the database held before the batch, of what the batch's awards depend on."""

    barred: frozenset[str]  # vendors of the awards that the last announcement bars
    known_contracts: frozenset[str]  # the awards' contracts already known, or subcontracted


@dataclass(frozen=True)
class Plan:
    together: tuple[ContractRow, ...]  # written first, in one statement
    one_by_one: tuple[EventEnvelope, ...]  # then each by its handler, in log order


def awards(events: Sequence[EventEnvelope]) -> list[EventEnvelope]:
    return [e for e in events if e.event_type == AWARDED]


def _contract_named(event: EventEnvelope) -> str | None:
    """The contract an event is about, when it names one (contract, subcontract,
    certificate and plan item events do)."""
    contract_id: str | None = getattr(event.payload, "contract_id", None)
    return contract_id


def plan(events: Sequence[EventEnvelope], stored: Stored) -> Plan:
    """Splits a batch (in log order)."""
    together: list[ContractRow] = []
    one_by_one: list[EventEnvelope] = []
    touched_vendors: set[str] = set()
    named: set[str] = set()
    for event in events:
        contract_id = _contract_named(event)
        if (
            event.event_type == AWARDED
            and event.vendor_id not in stored.barred
            and event.vendor_id not in touched_vendors
            and contract_id not in stored.known_contracts
            and contract_id not in named
        ):
            together.append(contract_row(event))
        else:
            one_by_one.append(event)
            touched_vendors.add(event.vendor_id)
        if contract_id is not None:
            named.add(contract_id)
    return Plan(tuple(together), tuple(one_by_one))


def contract_row(event: EventEnvelope) -> ContractRow:
    """The row `contract_awarded` writes for the award."""
    p = cast(ContractAwarded, event.payload)
    return ContractRow(
        p.contract_id,
        event.vendor_id,
        p.agency,
        p.title,
        p.criticality,
        p.ends_on,
        p.category,
        starts_on=p.starts_on,
    )
