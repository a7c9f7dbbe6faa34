"""`riskiestVendors(band:)` by the index of its order (risk migration 0012): the same answer as
ranking the whole table, and a page reads the rows it answers.

The scores are written by SQL, thousands at a time (the consumer would take minutes to score
as many vendors); the repository's read is what is tested, its answers against the ranking
worked out here from every row.
"""

from __future__ import annotations

import asyncpg
import pytest

from services.events.emitted import RiskBand
from services.platform.postgres.database import Connection
from services.risk.storage import repository
from tests.support.plans import rows_read

pytestmark = pytest.mark.postgres

VENDORS = 20_000
AGENCY = "総務課"

# Scores with ties (a tenth of a point, so 2,001 values over 20,000 vendors), their band as the
# model in force gives it, except every 97th vendor's, scored under a model whose bounds were
# other: a band is not a range of scores, and must not be read as one. Only a few vendors are
# critical, and every 13th vendor holds a contract of AGENCY.
_SCORES = f"""
INSERT INTO risk_current (vendor_id, score, band, model_version, factors, as_of)
SELECT 'V' || lpad(i::text, 6, '0'), s,
       CASE WHEN i % 97 = 0 THEN (ARRAY['low', 'medium', 'high'])[1 + i % 3]
            WHEN s >= 100 THEN 'critical' WHEN s >= 60 THEN 'high'
            WHEN s >= 30 THEN 'medium' ELSE 'low' END,
       CASE WHEN i % 97 = 0 THEN 'old' ELSE 'current' END,
       '[]', DATE '2026-12-01'
FROM (SELECT i, ((i * 7919) % 1001) / 10.0 AS s FROM generate_series(1, {VENDORS}) i) g;
INSERT INTO risk_contracts (contract_id, vendor_id, agency, critical, starts_on, ends_on)
SELECT 'K' || i, 'V' || lpad(i::text, 6, '0'),
       CASE WHEN i % 13 = 0 THEN '{AGENCY}' ELSE '税務課' END, true,
       DATE '2026-01-01', DATE '2027-01-01'
FROM generate_series(1, {VENDORS}) i;
ANALYZE risk_current;
ANALYZE risk_contracts;
"""

# The statement repository.riskiest sends for a band alone.
_BAND_PAGE = """SELECT vendor_id, as_of, score, band, model_version, factors::text AS factors,
                       agency_totals::text AS agency_totals
                FROM risk_current c WHERE band = $2 ORDER BY score DESC, vendor_id LIMIT $1"""


async def _ranked(conn: Connection, band: RiskBand | None, agency: str | None) -> list[str]:
    """The answer worked out from every row: sorted here, not by PostgreSQL."""
    rows = await conn.fetch("SELECT vendor_id, score, band FROM risk_current")
    holders = {
        r["vendor_id"]
        for r in await conn.fetch("SELECT vendor_id FROM risk_contracts WHERE agency = $1", agency)
    }
    kept = [
        r
        for r in rows
        if (band is None or r["band"] == band.value)
        and (agency is None or r["vendor_id"] in holders)
    ]
    return [r["vendor_id"] for r in sorted(kept, key=lambda r: (-r["score"], r["vendor_id"]))]


async def test_each_band_is_ranked_as_the_whole_table_ranks_it(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await conn.execute(_SCORES)
        critical = await conn.fetchval("SELECT count(*) FROM risk_current WHERE band = 'critical'")
        assert 0 < critical < 25  # a band of fewer vendors than a page
        for band in (*RiskBand, None):
            for agency in (None, AGENCY):
                expected = await _ranked(conn, band, agency)
                for first in (1, 25, 500):
                    page = await repository.riskiest(conn, first, agency, band)
                    assert [r["vendor_id"] for r in page] == expected[:first], (band, agency)
                    assert all(band is None or r["band"] == band.value for r in page)


async def test_a_band_s_page_reads_the_rows_it_answers(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await conn.execute(_SCORES)
        for band in RiskBand:
            in_band = await conn.fetchval(
                "SELECT count(*) FROM risk_current WHERE band = $1", band.value
            )
            for first in (25, 500):
                read = await rows_read(conn, "risk_current", _BAND_PAGE, first, band.value)
                # Without the index: the scores above the band walked (or the whole table read
                # and sorted), and the page's last score's ties read whole.
                assert read == min(first, in_band), (band, first)
