"""Who is barred on a day, for other systems: every barred vendor with its names, identifiers
and every reason, read a page of vendors at a time, so that memory stays the same whatever the
registry's size. The same rules as `bidEligibility` (screening.py): a vendor barred through an
affiliate's sanction is listed too, the reason naming the affiliate."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg

from services.registry import vendor_repository
from services.registry.eligibility import Eligibility
from services.registry.queries import MAX_BATCH
from services.registry.screening import screen
from services.registry.vendor_repository import VendorRow


@dataclass(frozen=True)
class Exclusion:
    vendor: VendorRow
    eligibility: Eligibility  # barred: every reason, and when the vendor may bid again


async def exclusions(pool: asyncpg.Pool, as_of: dt.date) -> AsyncIterator[Exclusion]:
    """The vendors barred on `as_of`, in vendor id order. Each page is read on its own, so a
    long export sees each vendor as it was when its page was read."""
    after: str | None = None
    while True:
        async with pool.acquire() as conn:
            ids, _ = await vendor_repository.vendor_page(conn, after, MAX_BATCH)
            if not ids:
                return
            answers = await screen(conn, ids, as_of)
            barred = [v for v in ids if not answers[v].eligible]
            vendors = await vendor_repository.fetch_vendors(conn, barred) if barred else {}
        for vendor_id in barred:
            yield Exclusion(vendors[vendor_id], answers[vendor_id])
        after = ids[-1]
