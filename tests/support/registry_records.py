"""Vendor B's records as the registry-record tests write them and read them back: the example
event of each kind (an incident or claim naming no other record, B's benefits contract
subcontracted twice, a termination), applied by the registry consumer, and a page of each
vendor's records of a kind (a real PostgreSQL)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import asyncpg

from services.platform.consuming.consumer import Consumer
from services.registry.handlers import CONSUMER_NAME
from services.registry.storage.record_repository import Page
from tests.support import case_b
from tests.support.event_examples import DROP, envelope, example
from tests.support.registry import REGISTRY

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


def terminated(on: str, contract_id: str = CONTRACT) -> dict[str, Any]:
    payload = {"contract_id": contract_id, "terminated_on": on, "reason": "cancelled", "note": DROP}
    return event("contract.terminated", **payload)
