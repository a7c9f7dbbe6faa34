"""The events about a vendor's records the registry refuses, on a real PostgreSQL, each with
the field at fault and why: records unknown or another vendor's, decided or closed already,
dated before what they follow or in the future, recorded twice."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from tests.support import case_b
from tests.support.event_examples import DROP, envelope, example
from tests.support.registry_db import apply, rejection
from tests.support.registry_records import (
    BENEFITS,
    CAUSER,
    CONSUMER,
    CONTRACT,
    NAMED,
    VENDOR,
    alone,
    event,
    registered,
    subcontracting,
    terminated,
)

pytestmark = pytest.mark.postgres


OTHER_VENDORS_CONTRACT = envelope("contract.awarded", example("contract.awarded"), "vendor-c")
NOT_VENDOR_BS = f"vendor {VENDOR!r} has no"

REFUSALS: dict[str, tuple[list[dict[str, Any]], dict[str, Any], str]] = {
    "award by an unknown vendor": (
        [],
        event("contract.awarded"),
        "vendor_id: unknown vendor 'vendor-b'; register it first",
    ),
    "award of a contract id already recorded": (
        [case_b.registered(), *registered("vendor-c"), OTHER_VENDORS_CONTRACT],
        event("contract.awarded"),
        f"payload.contract_id: {CONTRACT!r} is already in use; choose another",
    ),
    "amendment of an unknown contract": (
        [case_b.registered()],
        event("contract.amended"),
        f"payload.contract_id: {NOT_VENDOR_BS} contract {CONTRACT!r}",
    ),
    "amendment of another vendor's contract": (
        [case_b.registered(), *registered("vendor-c"), OTHER_VENDORS_CONTRACT],
        event("contract.amended"),
        f"payload.contract_id: {NOT_VENDOR_BS} contract {CONTRACT!r}",
    ),
    "amendment ending before the term starts": (
        [case_b.registered(), event("contract.awarded")],
        event("contract.amended", ends_on="2021-03-31"),
        "payload.ends_on: 2021-03-31 is before the contract's start 2021-04-01",
    ),
    "amendment after termination": (
        [case_b.registered(), event("contract.awarded"), terminated("2023-03-31")],
        event("contract.amended"),
        f"payload.contract_id: contract {CONTRACT!r} was already terminated on 2023-03-31",
    ),
    "second termination": (
        [case_b.registered(), event("contract.awarded"), terminated("2023-03-31")],
        event("contract.terminated"),
        f"payload.contract_id: contract {CONTRACT!r} was already terminated on 2023-03-31",
    ),
    "subcontract of an unknown contract": (
        [case_b.registered()],
        event("contract.subcontract_requested", parent_subcontract_id=DROP),
        f"payload.contract_id: {NOT_VENDOR_BS} contract {BENEFITS!r}",
    ),
    "re-subcontract of an unknown subcontract": (
        [case_b.registered(), event("contract.awarded", contract_id=BENEFITS)],
        event("contract.subcontract_requested"),
        f"payload.parent_subcontract_id: {NOT_VENDOR_BS} subcontract 'sc-1'",
    ),
    "approval of an unknown subcontract": (
        [case_b.registered(), event("contract.awarded", contract_id=BENEFITS)],
        event("contract.subcontract_approved"),
        f"payload.subcontract_id: {NOT_VENDOR_BS} subcontract 'sc-1'",
    ),
    "approval naming another contract": (
        subcontracting(),
        event("contract.subcontract_approved", contract_id=CONTRACT),
        f"payload.contract_id: subcontract 'sc-1' is of contract {BENEFITS!r}, not {CONTRACT!r}",
    ),
    "approval after a rejection": (
        [*subcontracting(), event("contract.subcontract_rejected")],
        event("contract.subcontract_approved", subcontract_id="sc-2"),
        "payload.subcontract_id: subcontract 'sc-2' was already rejected on 2022-05-25",
    ),
    "investigation of an incident never reported": (
        [case_b.registered()],
        event("incident.investigated"),
        f"payload.incident_id: {NOT_VENDOR_BS} incident 'inc-2022-usb'",
    ),
    "investigation of another vendor's incident": (
        [case_b.registered(), *registered("vendor-c"), alone("incident.reported", "vendor-c")],
        event("incident.investigated"),
        f"payload.incident_id: {NOT_VENDOR_BS} incident 'inc-2022-usb'",
    ),
    "closing an incident twice": (
        [case_b.registered(), alone("incident.reported"), event("incident.closed")],
        event("incident.closed"),
        "payload.incident_id: incident 'inc-2022-usb' was already closed on 2022-11-28",
    ),
    "incident reported twice": (
        [case_b.registered(), alone("incident.reported")],
        alone("incident.reported"),
        "payload.incident_id: 'inc-2022-usb' is already in use; choose another",
    ),
    "settlement of a claim never filed": (
        [case_b.registered()],
        event("claim.settled"),
        f"payload.claim_id: {NOT_VENDOR_BS} claim 'claim-2022-usb'",
    ),
    "second settlement": (
        [case_b.registered(), alone("claim.filed"), event("claim.settled")],
        event("claim.settled", settled_on="2023-04-30"),
        "payload.claim_id: claim 'claim-2022-usb' was already settled on 2023-03-31",
    ),
    "settlement in another currency": (
        [case_b.registered(), alone("claim.filed")],
        event("claim.settled", currency="USD"),
        "payload.currency: 'USD' is not the claim's currency 'JPY'",
    ),
    "settlement before the filing": (
        [case_b.registered(), alone("claim.filed")],
        event("claim.settled", settled_on="2022-11-27"),
        "payload.settled_on: 2022-11-27 is before the claim was filed, on 2022-11-28",
    ),
    "incident caused by a vendor nobody registered": (
        [case_b.registered(), event("contract.awarded", contract_id=BENEFITS)],
        event("incident.reported"),
        "payload.caused_by_vendor_id: unknown vendor 'vendor-d'; register it first",
    ),
    "incident on a contract never awarded": (
        [case_b.registered(), *registered(CAUSER)],
        event("incident.reported"),
        f"payload.contract_id: vendor {VENDOR!r} has no contract {BENEFITS!r}",
    ),
    "incident on another vendor's contract": (
        [
            case_b.registered(),
            *registered(CAUSER),
            event("contract.awarded", CAUSER, contract_id=BENEFITS),
        ],
        event("incident.reported"),
        f"payload.contract_id: contract {BENEFITS!r} belongs to vendor 'vendor-d', not {VENDOR!r}",
    ),
    "claim for an incident never reported": (
        [case_b.registered(), *NAMED],
        event("claim.filed"),
        f"payload.incident_id: vendor {VENDOR!r} has no incident 'inc-2022-usb'",
    ),
    "claim under a contract never awarded": (
        [case_b.registered(), alone("incident.reported")],
        event("claim.filed", contract_id="c-nope"),
        f"payload.contract_id: vendor {VENDOR!r} has no contract 'c-nope'",
    ),
    "incident reported on a day still to come": (
        [case_b.registered()],
        alone("incident.reported", reported_on="2099-06-23"),
        "payload.reported_on: 2099-06-23 is in the future",
    ),
    "investigation dated before the incident occurred": (
        [case_b.registered(), alone("incident.reported")],
        event("incident.investigated", investigated_on="2022-06-20"),
        "payload.investigated_on: 2022-06-20 is before the incident occurred, on 2022-06-21",
    ),
    "closing dated before the incident occurred": (
        [case_b.registered(), alone("incident.reported")],
        event("incident.closed", closed_on="2022-06-20"),
        "payload.closed_on: 2022-06-20 is before the incident occurred, on 2022-06-21",
    ),
    "closing on a day still to come": (
        [case_b.registered(), alone("incident.reported")],
        event("incident.closed", closed_on="2099-11-28"),
        "payload.closed_on: 2099-11-28 is in the future",
    ),
    "claim filed before its incident occurred": (
        [case_b.registered(), *NAMED, event("incident.reported")],
        event("claim.filed", filed_on="2022-06-20"),
        "payload.filed_on: 2022-06-20 is before incident 'inc-2022-usb' occurred, on 2022-06-21",
    ),
    "settlement on a day still to come": (
        [case_b.registered(), alone("claim.filed")],
        event("claim.settled", settled_on="2099-03-31"),
        "payload.settled_on: 2099-03-31 is in the future",
    ),
    "termination dated before the contract was awarded": (
        [case_b.registered(), event("contract.awarded")],
        event("contract.terminated", terminated_on="2020-01-01"),
        "payload.terminated_on: 2020-01-01 is before the contract was awarded, on 2021-03-15",
    ),
    "rename taking effect on a day still to come": (
        [case_b.registered()],
        event("vendor.renamed", effective_on="2099-04-01"),
        "payload.effective_on: 2099-04-01 is in the future",
    ),
    "certificate submitted twice": (
        [case_b.registered(), event("certificate.submitted")],
        event("certificate.submitted"),
        "payload.certificate_id: 'cert-fit-1' is already in use; choose another",
    ),
}


@pytest.mark.parametrize("case", REFUSALS)
async def test_an_event_that_cannot_apply_is_refused_naming_the_field(
    pool: asyncpg.Pool, case: str
) -> None:
    setup, refused, reason = REFUSALS[case]
    await apply(pool, *setup, consumer=CONSUMER)
    assert await rejection(pool, refused, CONSUMER) == reason
