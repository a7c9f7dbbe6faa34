"""A vendor's records on a real PostgreSQL as their events leave them: a contract amended and
terminated, a subcontract approved or rejected, an incident reported, investigated and closed,
a claim filed and settled, a certificate, a sanction amended and lifted (its end the last day
it bars), and the ids vendors choose repeated across vendors."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import asyncpg
import pytest

from services.registry.reads import queries
from services.registry.storage import record_repository as records
from services.registry.storage.record_repository import (
    CertificateRecord,
    ClaimRecord,
    ContractRecord,
    IncidentRecord,
    SanctionRecord,
    SubcontractRecord,
)
from tests.support import case_b
from tests.support.event_examples import DROP
from tests.support.registry_db import apply
from tests.support.registry_records import (
    BENEFITS,
    CONSUMER,
    CONTRACT,
    NAMED,
    VENDOR,
    PageFunction,
    alone,
    event,
    fetch,
    only,
    registered,
    subcontracting,
)

pytestmark = pytest.mark.postgres


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
