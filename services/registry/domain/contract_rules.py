"""Why the registry refuses a change of a contract: an amendment, a termination or a
subcontract request (pure).

Decided here once for two paths, the registry's handlers (records.py) and the API's receipt
(`change_problem`, read by `registry/reads/contract_changes.py`), so that the receipt refuses
what the registry would, in the same words, rather than accepting it and the registry
dead-lettering it after. Each reason has its code for the receipt.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.events.base import EventEnvelope
from services.events.catalog import Problem
from services.events.contract import ContractAmended, ContractTerminated, SubcontractRequested
from services.platform.eventstore.later_rules import (
    judged_by_fourth_rules,
    judged_by_second_rules,
)
from services.registry.domain.refusals import Refusal, problem

# The events that change a contract the vendor holds, and must find it running.
ContractChange = ContractAmended | ContractTerminated | SubcontractRequested


@dataclass(frozen=True, slots=True)
class ContractHeader:
    """What judging a change of a contract needs of it: whose it is, at which agency, and
    its days. None of them changes once awarded but `terminated_on`, which is set once."""

    vendor_id: str
    agency: str
    awarded_on: dt.date
    starts_on: dt.date
    terminated_on: dt.date | None
    # The terms as the amendments so far left them (an amendment changing neither is refused).
    ends_on: dt.date
    amount: int


def unknown_contract(vendor_id: str, contract_id: str) -> Refusal:
    """A change of a contract the registry does not hold: its code and reason."""
    return "unknown_contract", (
        f"payload.contract_id: vendor {vendor_id!r} has no contract {contract_id!r}"
    )


def running_refusal(
    vendor_id: str, contract_id: str, contract: ContractHeader | None
) -> Refusal | None:
    """Why a change of the contract (None: not on record) by `vendor_id` is refused whatever
    it says: it is not the vendor's, or it was terminated; the code and the reason."""
    if contract is None:
        return unknown_contract(vendor_id, contract_id)
    if contract.vendor_id != vendor_id:
        # Another vendor's is said as an unknown one is: the words name no other vendor.
        return "other_vendors_contract", unknown_contract(vendor_id, contract_id)[1]
    if contract.terminated_on is not None:
        return "terminated_already", (
            f"payload.contract_id: contract {contract_id!r} was already terminated on"
            f" {contract.terminated_on}"
        )
    return None


def amendment_refusal(
    payload: ContractAmended,
    contract: ContractHeader,
    recorded_at: dt.datetime,
    *,
    receipt: bool = False,
) -> Refusal | None:
    """Why an amendment of a running contract, recorded by the log at `recorded_at`, is
    refused: its new end before the term's first day; or, from the rules of 2026-12-07 on
    (later_rules), every term it gives being the contract's already (sent twice, the same
    amendment read as two decisions in the log); with `receipt`, the receipt's, which refuses
    that whenever it is asked (nothing is recorded of what a receipt refuses)."""
    if payload.ends_on is not None and payload.ends_on < contract.starts_on:
        return "ends_before_start", (
            f"payload.ends_on: {payload.ends_on} is before the contract's start"
            f" {contract.starts_on}"
        )
    judged = receipt or judged_by_fourth_rules(recorded_at)
    same = payload.ends_on in (None, contract.ends_on) and payload.amount in (None, contract.amount)
    if judged and same:
        return "no_change", (
            f"payload: contract {payload.contract_id!r} has these terms already"
            f" (ends on {contract.ends_on}, amount {contract.amount});"
            " the amendment would change nothing"
        )
    return None


def termination_refusal(
    payload: ContractTerminated,
    contract: ContractHeader,
    recorded_at: dt.datetime,
    *,
    receipt: bool = False,
) -> Refusal | None:
    """Why a termination of a running contract, recorded by the log at `recorded_at`, is
    refused: a typing error nothing could correct after (every later termination or
    amendment of the contract is refused as already done), dated before the award (judged
    from the rules of 2026-12-05 on, later_rules) or after the contract's end, the terms as
    amended so far (the contract ended then; from the rules of 2026-12-07 on; with
    `receipt`, the receipt's, which refuses it whenever it is asked). A day still to come is
    record_dates'."""
    if judged_by_second_rules(recorded_at) and payload.terminated_on < contract.awarded_on:
        return "before_award", (
            f"payload.terminated_on: {payload.terminated_on} is before the contract was"
            f" awarded, on {contract.awarded_on}"
        )
    judged = receipt or judged_by_fourth_rules(recorded_at)
    if judged and payload.terminated_on > contract.ends_on:
        return "after_end", (
            f"payload.terminated_on: {payload.terminated_on} is after the contract's end,"
            f" {contract.ends_on}; it had ended by then"
        )
    return None


def _change_refusal(
    vendor_id: str,
    payload: ContractChange,
    contract: ContractHeader | None,
    recorded_at: dt.datetime,
) -> Refusal | None:
    """Every reason above that judges this change, the first that refuses it."""
    if (running := running_refusal(vendor_id, payload.contract_id, contract)) is not None:
        return running
    assert contract is not None  # running_refusal refuses a contract not on record
    if isinstance(payload, ContractAmended):
        return amendment_refusal(payload, contract, recorded_at, receipt=True)
    if isinstance(payload, ContractTerminated):
        return termination_refusal(payload, contract, recorded_at, receipt=True)
    return None


def change_problem(
    event: EventEnvelope, contract: ContractHeader | None, now: dt.datetime
) -> Problem | None:
    """The API's check of a change of a contract recorded `now`, against the contract as the
    registry holds it, in the registry's words with their code; any other event passes. A
    contract not on record passes: its award may be in the log still unjudged (sent a moment
    before, without waitForProcessing); one whose award the log does not hold either is
    `reads/unknown_records.py`'s to refuse (`unknown_contract`). What the record gives only
    moves one way (a contract is terminated once, and its vendor, agency and days of award
    and start never change), so whatever is refused here, the registry would refuse, but
    for an amendment that changes nothing (`no_change`) and a termination after the
    contract's end (`after_end`), refused whenever they are asked, as a sanction's change
    that changes nothing is: judged against the terms on record, each is one an amendment
    still unjudged in the log may yet make right."""
    payload = event.payload
    if not isinstance(payload, ContractChange) or contract is None:
        return None
    return problem(_change_refusal(event.vendor_id, payload, contract, now))
