"""A vendor's records on a real PostgreSQL: contracts, subcontracts, incidents, claims,
certificates and sanctions as their events leave them, the events refused (with the field
at fault), and paging many vendors at once in a bounded number of SQL statements."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

import asyncpg
import pytest

from services.platform.consuming.consumer import Consumer
from services.registry.handlers import CONSUMER_NAME
from services.registry.reads import queries
from services.registry.storage import record_repository as records
from services.registry.storage.record_repository import (
    CertificateRecord,
    ClaimRecord,
    ContractRecord,
    IncidentRecord,
    Page,
    SanctionRecord,
    SubcontractRecord,
)
from tests.support import case_b
from tests.support.event_examples import DROP, envelope, example
from tests.support.registry import REGISTRY
from tests.support.registry_db import apply, rejection

pytestmark = pytest.mark.postgres

T = TypeVar("T")

CONSUMER = Consumer(CONSUMER_NAME, dict(REGISTRY.handlers))
VENDOR = case_b.VENDOR
CONTRACT = "c-2021-resident-records"
BENEFITS = "c-2022-benefit-payments"  # the contract the examples subcontract


def event(event_type: str, vendor_id: str = VENDOR, **changes: Any) -> dict[str, Any]:
    """The example event of this type for the vendor, with `changes` to its payload."""
    return envelope(event_type, example(event_type, **changes), vendor_id)


def registered(*vendor_ids: str) -> list[dict[str, Any]]:
    return [case_b.another_vendor(v) for v in vendor_ids]


# The example incident and claim name B's benefits contract, the lost USB memory and the
# subcontractor D that caused it: the records the registry must know before it accepts them.
CAUSER = "vendor-d"
NAMED = [*registered(CAUSER), event("contract.awarded", contract_id=BENEFITS)]
# An incident and a claim that name nothing but their vendor.
ON_ITS_OWN = {
    "incident.reported": {"contract_id": DROP, "caused_by_vendor_id": DROP},
    "claim.filed": {"contract_id": DROP, "incident_id": DROP},
}


def alone(event_type: str, vendor_id: str = VENDOR, **changes: Any) -> dict[str, Any]:
    """The example incident or claim, naming no other record."""
    return event(event_type, vendor_id, **ON_ITS_OWN[event_type], **changes)


def subcontracting() -> list[dict[str, Any]]:
    """B's benefits contract, subcontracted (sc-1) and re-subcontracted (sc-2)."""
    return [
        case_b.registered(),
        event("contract.awarded", contract_id=BENEFITS),
        event(
            "contract.subcontract_requested",
            subcontract_id="sc-1",
            parent_subcontract_id=DROP,
            subcontractor_vendor_id="vendor-c",
        ),
        event("contract.subcontract_requested"),
    ]


PageFunction = Callable[..., Awaitable[dict[str | None, Page[T]]]]


async def fetch(
    pool: asyncpg.Pool,
    pages: PageFunction[T],
    vendor_ids: Sequence[str] | None,
    first: int = 10,
    **options: Any,
) -> dict[str | None, Page[T]]:
    async with pool.acquire() as conn:
        return await pages(conn, vendor_ids, first=first, **options)


async def only(pool: asyncpg.Pool, pages: PageFunction[T], vendor_id: str = VENDOR) -> T:
    """The vendor's one record of this kind."""
    (record,) = (await fetch(pool, pages, [vendor_id]))[vendor_id].records
    return record


async def test_a_contract_keeps_its_amended_term_and_amount_and_its_termination(
    pool: asyncpg.Pool,
) -> None:
    await apply(pool, case_b.registered(), event("contract.awarded"), consumer=CONSUMER)
    awarded = await only(pool, records.contracts)
    assert awarded == ContractRecord(
        contract_id=CONTRACT,
        vendor_id=VENDOR,
        agency="市民課",
        title="住民記録システム運用保守",
        category="information_systems",
        criticality="resident_facing",
        awarded_on=dt.date(2021, 3, 15),
        starts_on=dt.date(2021, 4, 1),
        ends_on=dt.date(2026, 3, 31),
        amount=128000000,
        currency="JPY",
        terminated_on=None,
        termination_reason=None,
        termination_note=None,
    )
    await apply(
        pool,
        event("contract.amended"),  # the term only
        event("contract.amended", ends_on=DROP, amount=130000000),
        event("contract.terminated"),
        consumer=CONSUMER,
    )
    assert await only(pool, records.contracts) == replace(
        awarded,
        ends_on=dt.date(2026, 9, 30),
        amount=130000000,
        terminated_on=dt.date(2026, 9, 30),
        termination_reason="migrated",
        termination_note="Moved to vendor-c in phase 2.",
    )


async def test_a_subcontract_is_decided_once_approved_or_rejected(pool: asyncpg.Pool) -> None:
    await apply(pool, *subcontracting(), consumer=CONSUMER)
    requested = (await fetch(pool, records.subcontracts, [VENDOR]))[VENDOR].records
    assert [(s.subcontract_id, s.parent_subcontract_id, s.status) for s in requested] == [
        ("sc-1", None, "requested"),
        ("sc-2", "sc-1", "requested"),
    ]
    await apply(
        pool,
        event("contract.subcontract_approved"),
        event("contract.subcontract_rejected"),
        consumer=CONSUMER,
    )
    approved, rejected = (await fetch(pool, records.subcontracts, [VENDOR]))[VENDOR].records
    assert approved == SubcontractRecord(
        subcontract_id="sc-1",
        vendor_id=VENDOR,
        contract_id=BENEFITS,
        subcontractor_vendor_id="vendor-c",
        parent_subcontract_id=None,
        scope="Data transfer for benefit payment processing.",
        requested_on=dt.date(2022, 5, 10),
        status="approved",
        decided_on=dt.date(2022, 5, 20),
        reason=None,
        fitness_certificate_ids=("cert-fit-1",),
    )
    assert (rejected.status, rejected.decided_on, rejected.subcontractor_vendor_id) == (
        "rejected",
        dt.date(2022, 5, 25),
        "vendor-d",
    )
    assert rejected.reason == "No document proving the re-subcontractor's fitness."
    assert rejected.fitness_certificate_ids == ()


async def test_an_incident_is_reported_investigated_and_closed(pool: asyncpg.Pool) -> None:
    await apply(pool, case_b.registered(), *NAMED, event("incident.reported"), consumer=CONSUMER)
    reported = await only(pool, records.incidents)
    assert reported == IncidentRecord(
        incident_id="inc-2022-usb",
        vendor_id=VENDOR,
        kind="data_loss",
        severity="critical",
        occurred_on=dt.date(2022, 6, 21),
        reported_on=dt.date(2022, 6, 23),
        contract_id=BENEFITS,
        caused_by_vendor_id="vendor-d",
        description="A USB memory holding every resident's personal data was lost.",
        status="reported",
        investigated_on=None,
        leak=None,
        unapproved_subcontracting_found=None,
        control_failures=(),
        summary=None,
        closed_on=None,
        resolution=None,
    )
    await apply(pool, event("incident.investigated"), consumer=CONSUMER)
    investigated = await only(pool, records.incidents)
    assert (investigated.status, investigated.investigated_on) == (
        "investigated",
        dt.date(2022, 6, 28),
    )
    assert (investigated.leak, investigated.unapproved_subcontracting_found) == (
        "not_confirmed",
        True,
    )
    assert investigated.control_failures == (
        "no_locked_case",
        "no_supervision",
        "unapproved_resubcontracting",
    )
    assert investigated.summary is not None and investigated.summary.startswith("Forensic")
    await apply(pool, event("incident.closed"), consumer=CONSUMER)
    closed = await only(pool, records.incidents)
    assert (closed.status, closed.closed_on, closed.investigated_on) == (
        "closed",
        dt.date(2022, 11, 28),
        dt.date(2022, 6, 28),
    )
    assert closed.resolution == "USB recovered; data erasure certified; vendor suspended."


async def test_a_claim_is_filed_then_settled(pool: asyncpg.Pool) -> None:
    reported = event("incident.reported")
    await apply(
        pool, case_b.registered(), *NAMED, reported, event("claim.filed"), consumer=CONSUMER
    )
    filed = await only(pool, records.claims)
    assert filed == ClaimRecord(
        claim_id="claim-2022-usb",
        vendor_id=VENDOR,
        filed_on=dt.date(2022, 11, 28),
        amount=15000000,
        currency="JPY",
        incident_id="inc-2022-usb",
        contract_id=BENEFITS,
        description="Costs of the call centre and of notifying residents.",
        status="filed",
        settled_on=None,
        settled_amount=None,
    )
    await apply(pool, event("claim.settled"), consumer=CONSUMER)
    settled = await only(pool, records.claims)
    assert (settled.status, settled.settled_on, settled.settled_amount, settled.amount) == (
        "settled",
        dt.date(2023, 3, 31),
        12000000,
        15000000,
    )


async def test_a_certificate_is_recorded(pool: asyncpg.Pool) -> None:
    await apply(pool, case_b.registered(), event("certificate.submitted"), consumer=CONSUMER)
    assert await only(pool, records.certificates) == CertificateRecord(
        certificate_id="cert-fit-1",
        vendor_id=VENDOR,
        kind="subcontractor_fitness",
        contract_id=BENEFITS,
        subcontract_id="sc-1",
        submitted_on=dt.date(2022, 5, 15),
        issued_by="vendor-b",
    )


async def test_a_sanction_record_has_its_amendments_and_lift_applied(pool: asyncpg.Pool) -> None:
    await apply(pool, case_b.registered(), case_b.suspended(), consumer=CONSUMER)
    imposed = await only(pool, records.sanctions)
    assert imposed == SanctionRecord(
        sanction_id="city-2022-001",
        vendor_id=VENDOR,
        kind="bid_suspension",
        authority="City procurement office",
        decided_on=dt.date(2022, 7, 8),
        starts_on=dt.date(2022, 7, 9),
        ends_on=dt.date(2024, 1, 8),
        lifted_on=None,
        agencies=None,
        categories=None,
        barred_periods=((dt.date(2022, 7, 9), dt.date(2024, 1, 8)),),
    )
    amended = case_b.amended(
        effective_on="2022-08-01",
        duration_months=24,
        categories=["information_systems"],
        policy_override_reason="Extended on review.",
    )
    await apply(pool, amended, consumer=CONSUMER)
    assert await only(pool, records.sanctions) == replace(
        imposed,
        ends_on=dt.date(2024, 7, 8),
        categories=("information_systems",),
        barred_periods=((dt.date(2022, 7, 9), dt.date(2024, 7, 8)),),
    )
    await apply(pool, case_b.lifted("2023-06-01"), consumer=CONSUMER)
    lifted = await only(pool, records.sanctions)
    assert (lifted.ends_on, lifted.lifted_on) == (dt.date(2023, 5, 31), dt.date(2023, 6, 1))

    indefinite = case_b.suspended(sanction_id="city-2023-009", duration_months=None)
    indefinite["payload"] |= {"indefinite": True, "policy_override_reason": "Until remedied."}
    await apply(pool, indefinite, consumer=CONSUMER)
    page = (await fetch(pool, records.sanctions, [VENDOR]))[VENDOR]
    assert [(s.sanction_id, s.ends_on) for s in page.records] == [
        ("city-2022-001", dt.date(2023, 5, 31)),
        ("city-2023-009", None),
    ]


async def test_a_sanctions_end_is_the_last_day_it_bars_however_it_was_amended(
    pool: asyncpg.Pool,
) -> None:
    """A new period ending before the amendment took effect (shortened from 2023-03-01 to a
    last day of 2022-12-01) was given as the record's end, 2022-12-01, while the vendor was
    barred to 2023-02-28; an extension after a gap ends at the gap's far end."""
    await apply(pool, case_b.registered(), case_b.suspended(), consumer=CONSUMER)
    cut = case_b.amended(
        effective_on="2023-03-01", ends_on="2022-12-01", policy_override_reason="Shortened."
    )
    await apply(pool, cut, consumer=CONSUMER)
    record = await only(pool, records.sanctions)
    async with pool.acquire() as conn:
        [barred] = await queries.bid_eligibility_many(conn, [VENDOR], dt.date(2023, 1, 15))
    assert record.ends_on == barred.reasons[0].ends_on == dt.date(2023, 2, 28)
    assert barred.eligible_again_on == dt.date(2023, 3, 1)
    # Extended after a gap: two stretches, the vendor free to bid between them (a calendar
    # drawn from the first day to `endsOn` barred it through the gap too).
    extended = case_b.amended(
        effective_on="2023-04-01", ends_on="2023-09-30", policy_override_reason="Again."
    )
    await apply(pool, extended, consumer=CONSUMER)
    record = await only(pool, records.sanctions)
    assert record.barred_periods == (
        (dt.date(2022, 7, 9), dt.date(2023, 2, 28)),
        (dt.date(2023, 4, 1), dt.date(2023, 9, 30)),
    )
    async with pool.acquire() as conn:
        [free] = await queries.bid_eligibility_many(conn, [VENDOR], dt.date(2023, 3, 15))
    assert free.eligible and record.ends_on == dt.date(2023, 9, 30)


def terminated(on: str, contract_id: str = CONTRACT) -> dict[str, Any]:
    payload = {"contract_id": contract_id, "terminated_on": on, "reason": "cancelled", "note": DROP}
    return event("contract.terminated", **payload)


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
        f"payload.contract_id: {CONTRACT!r} is already recorded",
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
        "payload.incident_id: 'inc-2022-usb' is already recorded",
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
        f"payload.contract_id: contract {BENEFITS!r} is vendor 'vendor-d''s, not {VENDOR!r}'s",
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
        "payload.certificate_id: 'cert-fit-1' is already recorded",
    ),
}


@pytest.mark.parametrize("case", REFUSALS)
async def test_an_event_that_cannot_apply_is_refused_naming_the_field(
    pool: asyncpg.Pool, case: str
) -> None:
    setup, refused, reason = REFUSALS[case]
    await apply(pool, *setup, consumer=CONSUMER)
    assert await rejection(pool, refused, CONSUMER) == reason


async def test_ids_the_vendors_choose_may_repeat_across_vendors(pool: asyncpg.Pool) -> None:
    vendors = ["vendor-a", "vendor-b"]
    await apply(pool, *registered(*vendors), consumer=CONSUMER)
    reported = [alone(t, v) for t in ("incident.reported", "claim.filed") for v in vendors]
    await apply(pool, *reported, consumer=CONSUMER)
    await apply(pool, *(event("certificate.submitted", v) for v in vendors), consumer=CONSUMER)
    kinds: list[PageFunction[Any]] = [records.incidents, records.claims, records.certificates]
    for pages in kinds:
        found = await fetch(pool, pages, None)
        assert [r.vendor_id for r in found[None].records] == vendors


async def award_contracts(pool: asyncpg.Pool, contracts: dict[str, list[str]]) -> None:
    await apply(pool, *registered(*contracts), consumer=CONSUMER)
    awards = [
        event("contract.awarded", vendor, contract_id=contract_id)
        for vendor, contract_ids in contracts.items()
        for contract_id in contract_ids
    ]
    await apply(pool, *awards, consumer=CONSUMER)


def listed(pages: dict[str | None, Page[ContractRecord]]) -> dict[str | None, Any]:
    return {v: ([c.contract_id for c in p.records], p.total, p.has_next) for v, p in pages.items()}


async def test_pages_of_several_vendors_come_from_one_call(pool: asyncpg.Pool) -> None:
    await award_contracts(
        pool, {"vendor-a": ["c-01", "c-03", "c-05", "c-07", "c-09"], "vendor-b": ["c-02", "c-04"]}
    )
    vendors = ["vendor-a", "vendor-b", "vendor-none"]
    assert listed(await fetch(pool, records.contracts, vendors, first=2)) == {
        "vendor-a": (["c-01", "c-03"], 5, True),
        "vendor-b": (["c-02", "c-04"], 2, False),
        "vendor-none": ([], 0, False),
    }
    # The total counts what came before the cursor too, even when nothing comes after it.
    assert listed(await fetch(pool, records.contracts, vendors, first=2, after="c-04")) == {
        "vendor-a": (["c-05", "c-07"], 5, True),
        "vendor-b": ([], 2, False),
        "vendor-none": ([], 0, False),
    }
    assert listed(await fetch(pool, records.contracts, vendors, first=2, after="c-07")) == {
        "vendor-a": (["c-09"], 5, False),
        "vendor-b": ([], 2, False),
        "vendor-none": ([], 0, False),
    }
    assert listed(await fetch(pool, records.contracts, ["vendor-a"], first=0)) == {
        "vendor-a": ([], 5, True)
    }
    assert listed(await fetch(pool, records.contracts, None, first=3, after="c-03")) == {
        None: (["c-04", "c-05", "c-07"], 7, True)
    }


async def test_contracts_by_agency_and_by_the_day_they_are_active(pool: asyncpg.Pool) -> None:
    await award_contracts(pool, {VENDOR: ["c-amended", "c-ended"]})
    await apply(
        pool,
        event("contract.awarded", contract_id="c-tax", agency="税務課"),
        event("contract.amended", contract_id="c-amended"),  # to 2026-09-30
        terminated("2023-03-31", contract_id="c-ended"),
        consumer=CONSUMER,
    )

    async def active(day: str, agency: str | None = None) -> list[str]:
        pages = await fetch(
            pool, records.contracts, [VENDOR], active_on=dt.date.fromisoformat(day), agency=agency
        )
        return [c.contract_id for c in pages[VENDOR].records]

    assert await active("2021-03-31") == []
    assert await active("2023-03-31") == ["c-amended", "c-ended", "c-tax"]
    assert await active("2023-04-01") == ["c-amended", "c-tax"]
    assert await active("2026-06-30") == ["c-amended"]
    assert await active("2026-10-01") == []
    assert await active("2023-03-31", agency="税務課") == ["c-tax"]
    by_agency = await fetch(pool, records.contracts, [VENDOR], agency="市民課")
    assert (by_agency[VENDOR].total, by_agency[VENDOR].has_next) == (2, False)


async def test_subcontracts_by_status(pool: asyncpg.Pool) -> None:
    await apply(pool, *subcontracting(), event("contract.subcontract_approved"), consumer=CONSUMER)
    for status, expected in (("approved", ["sc-1"]), ("requested", ["sc-2"]), ("rejected", [])):
        pages = await fetch(pool, records.subcontracts, [VENDOR], status=status)
        assert [s.subcontract_id for s in pages[VENDOR].records] == expected


async def test_open_incidents_and_claims_by_status(pool: asyncpg.Pool) -> None:
    await apply(
        pool,
        case_b.registered(),
        alone("incident.reported", incident_id="inc-1"),
        alone("incident.reported", incident_id="inc-2"),
        event("incident.investigated", incident_id="inc-2"),
        alone("incident.reported", incident_id="inc-3"),
        event("incident.closed", incident_id="inc-3"),
        alone("claim.filed", claim_id="claim-1"),
        alone("claim.filed", claim_id="claim-2"),
        event("claim.settled", claim_id="claim-2"),
        consumer=CONSUMER,
    )
    open_incidents = await fetch(pool, records.incidents, [VENDOR], open_only=True)
    assert [i.incident_id for i in open_incidents[VENDOR].records] == ["inc-1", "inc-2"]
    assert (await fetch(pool, records.incidents, [VENDOR]))[VENDOR].total == 3
    for status, expected in (("filed", ["claim-1"]), ("settled", ["claim-2"])):
        pages = await fetch(pool, records.claims, [VENDOR], status=status)
        assert [c.claim_id for c in pages[VENDOR].records] == expected


async def test_certificates_by_kind_and_contract(pool: asyncpg.Pool) -> None:
    erasure = {"kind": "data_erasure", "subcontract_id": DROP}
    await apply(
        pool,
        case_b.registered(),
        event("certificate.submitted", certificate_id="cert-1"),
        event("certificate.submitted", certificate_id="cert-2", **erasure),
        event("certificate.submitted", certificate_id="cert-3", contract_id=CONTRACT, **erasure),
        consumer=CONSUMER,
    )

    async def certificates(kind: str | None = None, contract_id: str | None = None) -> list[str]:
        pages = await fetch(
            pool, records.certificates, [VENDOR], kind=kind, contract_id=contract_id
        )
        return [c.certificate_id for c in pages[VENDOR].records]

    assert await certificates(kind="data_erasure") == ["cert-2", "cert-3"]
    assert await certificates(contract_id=BENEFITS) == ["cert-1", "cert-2"]
    assert await certificates(kind="data_erasure", contract_id=CONTRACT) == ["cert-3"]


async def test_sanctions_in_force_on_a_day(pool: asyncpg.Pool) -> None:
    later = case_b.suspended(sanction_id="city-2023-002", starts_on="2023-07-01")
    later["payload"]["decided_on"] = "2023-06-30"
    await apply(
        pool,
        case_b.registered(),
        *registered("vendor-clean"),
        case_b.suspended(),
        case_b.lifted("2023-01-01"),
        later,
        consumer=CONSUMER,
    )

    async def in_force(day: str, vendor_ids: list[str] | None = None) -> dict[str | None, Any]:
        pages = await fetch(
            pool, records.sanctions, vendor_ids, active_on=dt.date.fromisoformat(day)
        )
        return {v: ([s.sanction_id for s in p.records], p.total) for v, p in pages.items()}

    vendors = [VENDOR, "vendor-clean"]
    assert await in_force("2022-12-31", vendors) == {
        VENDOR: (["city-2022-001"], 1),
        "vendor-clean": ([], 0),
    }
    assert await in_force("2023-01-01", vendors) == {VENDOR: ([], 0), "vendor-clean": ([], 0)}
    assert await in_force("2023-07-01") == {None: (["city-2023-002"], 1)}
    everything = await fetch(pool, records.sanctions, None)
    assert everything[None].total == 2


async def test_a_sanction_listed_for_a_day_has_its_scope_that_day(pool: asyncpg.Pool) -> None:
    # Narrowed to 税務課 from 2023-01-15: on 2022-12-01 it bars at every agency, which the
    # list read for that day said as 税務課 only (the scope as last amended).
    await apply(
        pool,
        case_b.registered(),
        case_b.suspended(),
        case_b.amended(effective_on="2023-01-15", agencies=["税務課"], reason="narrowed"),
        consumer=CONSUMER,
    )

    async def scope(day: str | None) -> list[Any]:
        on = dt.date.fromisoformat(day) if day else None
        pages = await fetch(pool, records.sanctions, [VENDOR], active_on=on)
        return [(s.agencies, s.ends_on) for s in pages[VENDOR].records]

    assert await scope("2022-12-01") == [(None, dt.date(2024, 1, 8))]
    assert await scope("2023-02-01") == [(("税務課",), dt.date(2024, 1, 8))]
    assert await scope(None) == [(("税務課",), dt.date(2024, 1, 8))]


KINDS: dict[str, tuple[PageFunction[Any], dict[str, Any]]] = {
    "contracts": (records.contracts, {"agency": "市民課", "active_on": dt.date(2023, 1, 1)}),
    "subcontracts": (records.subcontracts, {"status": "requested"}),
    "incidents": (records.incidents, {"open_only": True}),
    "claims": (records.claims, {"status": "filed"}),
    "certificates": (records.certificates, {"kind": "subcontractor_fitness"}),
    "sanctions": (records.sanctions, {"active_on": dt.date(2023, 1, 1)}),
}


def one_of_each(vendor_id: str) -> list[dict[str, Any]]:
    """A registered vendor with one record of every kind (contract and subcontract ids are
    everyone's, so they are the vendor's own here)."""
    contract = {"contract_id": f"c-{vendor_id}"}
    return [
        case_b.another_vendor(vendor_id),
        event("contract.awarded", vendor_id, **contract),
        event(
            "contract.subcontract_requested",
            vendor_id,
            **contract,
            subcontract_id=f"sc-{vendor_id}",
            parent_subcontract_id=DROP,
        ),
        event("incident.reported", vendor_id, **contract, caused_by_vendor_id=DROP),
        event("claim.filed", vendor_id, **contract),
        event("certificate.submitted", vendor_id),
        case_b.suspended(vendor_id, sanction_id=f"s-{vendor_id}"),
    ]


@pytest.mark.parametrize("kind", KINDS)
async def test_a_page_of_many_vendors_costs_the_statements_of_one(
    pool: asyncpg.Pool, database_url: str, kind: str
) -> None:
    vendors = [f"vendor-{n:02}" for n in range(12)]
    await apply(pool, *(e for v in vendors for e in one_of_each(v)), consumer=CONSUMER)
    pages, filters = KINDS[kind]
    conn = await asyncpg.connect(database_url)
    try:
        statements: list[str] = []
        conn.add_query_logger(lambda query: statements.append(query.query))

        async def count(vendor_ids: list[str] | None, **options: Any) -> int:
            statements.clear()
            found = await pages(conn, vendor_ids, first=len(vendors), **options)
            each = 1 if vendor_ids is not None else len(vendors)  # one record per vendor
            assert len(found) == len(vendor_ids or [None])
            for page in found.values():
                assert len(page.records) == page.total == each
            return len(statements)

        await count(vendors[:1])  # type introspection happens once per connection
        for options in ({}, filters):
            one = await count(vendors[:1], **options)
            assert one <= 3
            assert await count(vendors, **options) == one
            # Across vendors: the page and, asked for as here, its total, a statement each.
            assert await count(None, **options) <= one + 2
    finally:
        await conn.close()
