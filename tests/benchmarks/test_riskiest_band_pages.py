"""`riskiestVendors(first: 25, band:)` (the console's risk board, filtered by band) over many
current scores, through the in-process API, next to the bare SQL that answers it, the
repository's statement sent by plain asyncpg in the same rounds. Its cost must not grow with
the scores of other bands: by the index of scores alone, a band whose page lies low in the
ranking walked every higher score, and a band of fewer vendors than the page read the whole
table (risk migration 0012).

The scores are written by SQL (the consumer would take minutes to score as many vendors):
VENDORWATCH_BENCH_SCORES vendors (500,000 by default), most low, a tenth medium, a hundredth
high and a handful critical, stored with their evidence (no agency totals), so what is timed
is finding the page, not deriving evidence. No time is asserted; every answer is checked.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import asyncpg
import pytest

from services.events.emitted import RiskBand
from tests.support.in_process_api import execute
from tests.support.latency import Latencies, LatencyComparison
from tests.support.throughput import rounds

pytestmark = pytest.mark.postgres

RISKIEST = """query ($band: RiskBand) {
  riskiestVendors(first: 25, band: $band) { vendorId score band }
}"""
ASKED = 50  # pages asked per band and round

# As repository.riskiest sends it for a band alone.
BARE = """SELECT vendor_id, as_of, score, band, model_version, factors::text AS factors,
                 agency_totals::text AS agency_totals
          FROM risk_current c WHERE band = $2 ORDER BY score DESC, vendor_id LIMIT $1"""

SCORES = """
INSERT INTO risk_current (vendor_id, score, band, model_version, factors, as_of)
SELECT 'V' || lpad(i::text, 7, '0'), s,
       CASE WHEN s >= 80 THEN 'critical' WHEN s >= 60 THEN 'high'
            WHEN s >= 30 THEN 'medium' ELSE 'low' END,
       'bench', '[]', DATE '2026-12-01'
FROM (SELECT i, CASE WHEN i % 100000 = 0 THEN 80 + i % 17
                     WHEN i % 100 = 0 THEN 60 + i % 19
                     WHEN i % 10 = 0 THEN 30 + i % 29
                     ELSE i % 29 END::double precision AS s
      FROM generate_series(1, $1::int) i) g"""


def _scores() -> int:
    return int(os.environ.get("VENDORWATCH_BENCH_SCORES", "500000"))


async def test_a_band_s_page_does_not_grow_with_the_other_bands(
    pool: asyncpg.Pool, latency_report: Callable[[LatencyComparison], None]
) -> None:
    await pool.execute(SCORES, _scores())
    await pool.execute("ANALYZE risk_current")
    for band in (RiskBand.CRITICAL, RiskBand.LOW):
        # The page worked out from every row of the band, sorted here, not by PostgreSQL.
        in_band = await pool.fetch(
            "SELECT vendor_id, score FROM risk_current WHERE band = $1", band.value
        )
        ranked = sorted(in_band, key=lambda r: (-r["score"], r["vendor_id"]))
        expected = [r["vendor_id"] for r in ranked[:25]]
        comparison = LatencyComparison(
            f"riskiestVendors(first: 25, band: {band.name}), {_scores():,} scores,"
            f" {len(in_band):,} in the band",
            "its statement (asyncpg)",
        )
        for _ in range(rounds()):
            ours, baseline = Latencies(), Latencies()
            for _ in range(ASKED):
                started = time.perf_counter()
                answer = (await execute(pool, RISKIEST, band=band.name))["riskiestVendors"]
                ours.add(time.perf_counter() - started)
                started = time.perf_counter()
                rows = await pool.fetch(BARE, 25, band.value)
                baseline.add(time.perf_counter() - started)
                assert [a["vendorId"] for a in answer] == expected
                assert [r["vendor_id"] for r in rows] == expected
                assert {a["band"] for a in answer} == {band.name}
            comparison.add_round(ours, baseline)
        latency_report(comparison)
        print("\n" + " | ".join(comparison.row()))
