"""A vendor's timeline (`events`) and the audit trail (`auditTrail`) through the API on a log
holding a vendor with thousands of events: a page reads about the page, and the total is
counted, exactly, only when `totalCount` is asked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

import asyncpg
import pytest

from services.ingest.handlers import ingest_batch
from services.platform.eventlog.base import Writer
from services.platform.postgres.database import Connection
from tests.support import case_b
from tests.support.in_process_api import execute
from tests.support.rows_read import rows_read

pytestmark = pytest.mark.postgres

VENDOR = "vendor-long"
OFFICER = {"subject": "officer@city", "role": "procurement_officer", "client": "192.0.2.10"}
SANCTIONS = 5_000
PAGE = 7


class _Lent:
    """The test's one connection lent to every read of a request, in place of the pool:
    PostgreSQL counts a backend's reads within its transaction (`rows_read`)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[Connection]:
        yield self._conn


async def _history(pool: asyncpg.Pool) -> None:
    """The vendor registered, then 5,000 sanctions recorded through the API by one officer,
    among other vendors' registrations (the log is not this vendor's alone)."""
    events = [case_b.another_vendor(VENDOR)]
    events += [
        case_b.suspended(VENDOR, sanction_id=f"s-{n}") | {"recorded_by": OFFICER}
        for n in range(SANCTIONS)
    ]
    for start in range(0, len(events), 1_000):
        lines = [case_b.line(e) for e in events[start : start + 1_000]]
        await ingest_batch(pool, lines, Writer.API)
    others = [case_b.line(case_b.another_vendor(f"vendor-{n}")) for n in range(1_000)]
    await ingest_batch(pool, others)
    await pool.execute("ANALYZE event_store")


async def _asked(pool: asyncpg.Pool, query: str) -> tuple[dict[str, Any], int]:
    """The answer to `query` and the rows of the log it read."""
    async with pool.acquire() as conn:
        lent = cast(asyncpg.Pool, _Lent(conn))
        return await rows_read(conn, "event_store", lambda: execute(lent, query))


@pytest.mark.parametrize(
    ("connection", "total"),
    [
        (f'events(vendorId: "{VENDOR}", first: {PAGE})', 1 + SANCTIONS),
        (f'auditTrail(subject: "officer@city", first: {PAGE})', SANCTIONS),
        (f"auditTrail(first: {PAGE})", SANCTIONS),
    ],
    ids=["events", "auditTrail-by-subject", "auditTrail"],
)
async def test_a_page_reads_the_page_and_counts_only_when_asked(
    pool: asyncpg.Pool, connection: str, total: int
) -> None:
    """Each page counted every event of the list whether or not `totalCount` was asked: a
    page of 7 of a vendor with 5,000 events read 5,001 rows of the log (527 buffers)."""
    await _history(pool)
    field = connection.split("(")[0]
    page, read = await _asked(pool, f"{{ {connection} {{ edges {{ cursor }} }} }}")
    assert len(page[field]["edges"]) == PAGE
    assert read <= 2 * (PAGE + 1)  # the page and the one after it that says there is more
    counted, _ = await _asked(pool, f"{{ {connection} {{ totalCount edges {{ cursor }} }} }}")
    assert counted[field]["totalCount"] == total
    assert counted[field]["edges"] == page[field]["edges"]
