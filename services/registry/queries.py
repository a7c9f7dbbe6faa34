"""Read side of the registry: what the API asks, answered from the projection."""

from __future__ import annotations

import datetime as dt

import asyncpg

from services.registry import eligibility, repository
from services.registry.repository import VendorRow


class UnknownVendor(LookupError):
    def __init__(self, vendor_id: str) -> None:
        super().__init__(f"vendorId: unknown vendor {vendor_id!r}")


async def vendor(pool: asyncpg.Pool, vendor_id: str) -> VendorRow | None:
    async with pool.acquire() as conn:
        return await repository.fetch_vendor(conn, vendor_id)


async def bid_eligibility(
    pool: asyncpg.Pool,
    vendor_id: str,
    as_of: dt.date,
    *,
    agency: str | None = None,
    category: str | None = None,
) -> eligibility.Eligibility:
    async with pool.acquire() as conn:
        if not await repository.vendor_exists(conn, vendor_id):
            raise UnknownVendor(vendor_id)
        sanctions = await repository.fetch_sanctions(conn, vendor_id)
    return eligibility.evaluate(vendor_id, sanctions, as_of, agency=agency, category=category)
