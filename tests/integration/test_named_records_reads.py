"""When the log first recorded the registration of each vendor some events name
(`named_records.known_records`, which the registry's reference rules read for an incident's
causing vendor): one probe per vendor, however many registrations the log holds of it (real
PostgreSQL, counted in rows of the log read)."""

from __future__ import annotations

import asyncpg
import pytest

from services.ingest.handlers import ingest_batch
from services.registry.domain.reference_rules import Named
from services.registry.storage.named_records import known_records
from tests.support import case_b
from tests.support.rows_read import rows_read

pytestmark = pytest.mark.postgres

OFTEN, ONCE, NEVER = "vendor-registered-often", "vendor-registered-once", "vendor-never"


async def test_a_vendors_first_registration_is_read_alone(pool: asyncpg.Pool) -> None:
    """A registration sent 6,000 times (the registry refuses all but one; none applied
    here) had every one read to find the first: 6,001 rows of the log for two vendors."""
    for _ in range(6):
        await ingest_batch(pool, [case_b.line(case_b.another_vendor(OFTEN)) for _ in range(1_000)])
    others = [case_b.another_vendor(f"vendor-{n}") for n in range(2_000)]
    await ingest_batch(pool, [case_b.line(e) for e in [case_b.another_vendor(ONCE), *others]])
    await pool.execute("ANALYZE event_store")
    first = {
        r["vendor_id"]: r["first"]
        for r in await pool.fetch(
            "SELECT vendor_id, min(recorded_at) AS first FROM event_store GROUP BY vendor_id"
        )
    }
    async with pool.acquire() as conn:
        known, read = await rows_read(
            conn,
            "event_store",
            lambda: known_records(conn, Named(vendors=frozenset({OFTEN, ONCE, NEVER}))),
        )
    assert known.registered == set()
    assert known.logged == {OFTEN: first[OFTEN], ONCE: first[ONCE]}
    assert read <= 2
