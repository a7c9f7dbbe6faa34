"""Pages of vendors' records on a real PostgreSQL: several vendors' pages from one call (totals
and cursors), each kind's filters (contracts by agency and active day, subcontracts and claims
by status, open incidents, certificates by kind and contract, sanctions in force and their
scope on a day), and a page of many vendors in the SQL statements of one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg
import pytest

from services.registry.storage import record_repository as records
from services.registry.storage.record_repository import ContractRecord, Page
from tests.support import case_b
from tests.support.event_examples import DROP
from tests.support.registry_db import apply
from tests.support.registry_records import (
    BENEFITS,
    CONSUMER,
    CONTRACT,
    VENDOR,
    PageFunction,
    alone,
    event,
    fetch,
    registered,
    subcontracting,
    terminated,
)

pytestmark = pytest.mark.postgres


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
