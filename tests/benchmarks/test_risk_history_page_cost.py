"""One page of `riskHistory` for a vendor with 10 and with 2,000 history entries, through the
in-process API, next to the bare SQL of one page (the repository's statement for the page's
rows, sent by plain asyncpg in the same rounds), as an admin and as a system owner who sees
one of the vendor's two agencies (half its entries are another agency's, interleaved).

The first page and the last (a page deep in the history) are asked, `first: 3`, without
`totalCount` (a count reads every entry it counts, whoever asks), and the first page again
with it. The vendor's record stays small (four contracts, amended over and over, none
critical, none ended: each score lists no more evidence at 2,000 entries than at 10), so
what grows is the history alone. The events go through ingest, the registry and risk, as
the system applies them. The vendor's current score is measured beside them. No time is
asserted; every answer is checked.

The last page is read from the vendor's state kept at its entry 1,984 (every 32nd entry's is
kept: services/risk/storage/history_marks.py; its contracts name 1,984 events, about 80 kB),
with the 13 to 16 events after it folded; the first page folds its three from the start.
Before the kept states the last page of 2,000 entries cost 7-21 times the first at p50 (56-177
ms against 5-21 ms, 2026-12-06, load average 2.5-11); after, 0.65-1.8 times for an admin and
0.9-3.3 times for a system owner in the same runs, and with every case's requests taken in
turn (the load's drift shared) 1.24 and 1.30 times the last page of 10 entries
(tests/benchmarks/HISTORY.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import asyncpg
import pytest

from services.ingest.handlers import ingest_batch
from services.platform.eventlog.embedded import drain
from services.platform.security.auth import Principal, Role
from services.risk.handlers import risk_consumer
from tests.support import case_b
from tests.support.event_examples import envelope
from tests.support.in_process_api import execute
from tests.support.latency import Latencies, LatencyComparison
from tests.support.principals import ADMIN
from tests.support.registry import REGISTRY
from tests.support.risk_service import service
from tests.support.throughput import rounds

pytestmark = pytest.mark.postgres

MINE, THEIRS = "市民課", "税務課"
SIZES = (10, 2000)
FIRST = 3  # a page: the 10 entries' owner reads 5, a first page and a last
ASKED = 20  # pages asked per case and round
CONTRACTS = ((MINE, "m0"), (THEIRS, "t0"), (MINE, "m1"), (THEIRS, "t1"))

PAGE = """query ($vendorId: ID!, $after: String) {
  riskHistory(vendorId: $vendorId, first: 3, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node { asOf score band factors { name contribution evidence { note } } } }
  } }"""
COUNTED = PAGE.replace("pageInfo {", "totalCount pageInfo {")
CURRENT = """query ($vendorId: ID!) {
  vendor(vendorId: $vendorId) { riskScore { score factors { name evidence { note } } } }
}"""
# As state_storage loads a state the process did not write last.
ITEMS = """SELECT vendor_id, item, fact::text AS fact, horizon, terminated
           FROM risk_vendor_items WHERE vendor_id = ANY($1::text[])"""

# As history_reads.history sends it for a page.
BARE = """SELECT seq, as_of, score, band, model_version, factors::text AS factors,
                 agency_totals::text AS agency_totals
          FROM risk_history WHERE vendor_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"""


def _history(vendor_id: str, entries: int) -> list[dict[str, Any]]:
    """The vendor's registration, then `entries` events about its four contracts (two of
    each agency): their awards, then amendments of their amounts in turn."""
    awards = [
        envelope(
            "contract.awarded",
            {
                "contract_id": f"{vendor_id}-{suffix}",
                "agency": agency,
                "title": f"System {suffix}",
                "category": "information_systems",
                "criticality": "internal",
                "awarded_on": "2021-03-15",
                "starts_on": "2021-04-01",
                "ends_on": "2030-03-31",
                "amount": 1_000_000,
            },
            vendor_id,
        )
        for agency, suffix in CONTRACTS
    ]
    amendments = [
        envelope(
            "contract.amended",
            {
                "contract_id": f"{vendor_id}-{CONTRACTS[n % len(CONTRACTS)][1]}",
                "effective_on": "2021-06-01",
                "amount": 1_000_000 + n,
                "reason": "Scope changed.",
            },
            vendor_id,
        )
        for n in range(entries - len(awards))
    ]
    return [case_b.another_vendor(vendor_id), *awards, *amendments]


async def _seeded(pool: asyncpg.Pool, vendor_id: str, entries: int) -> list[tuple[str, bool]]:
    """The vendor's history applied; each entry's cursor (its event id) and whether it is of
    the other agency's contracts, in log order."""
    events = _history(vendor_id, entries)
    # The awards applied before the amendments name them.
    for part in (events[: len(CONTRACTS) + 1], events[len(CONTRACTS) + 1 :]):
        await ingest_batch(pool, [case_b.line(e) for e in part])
        await drain(pool, REGISTRY)
        await drain(pool, risk_consumer(service()))
    theirs = {
        e["event_id"] for e in events if e["payload"].get("contract_id", "").endswith(("t0", "t1"))
    }
    rows = await pool.fetch(
        "SELECT e.event_id::text AS event_id FROM risk_history h JOIN risk_events e USING (seq)"
        " WHERE h.vendor_id = $1 ORDER BY h.seq",
        vendor_id,
    )
    assert len(rows) == entries
    return [(r["event_id"], r["event_id"] in theirs) for r in rows]


async def _measure(
    pool: asyncpg.Pool,
    who: Principal,
    vendor_id: str,
    entries: int,
    cursors: list[str],
    counted: bool,
    deep: bool,
) -> LatencyComparison:
    """The page's latency: the first page, or the last (after the cursor `FIRST` + 1 from
    the end of what the caller reads)."""
    after = cursors[-FIRST - 1] if deep else None
    expected = cursors[-FIRST:] if deep else cursors[:FIRST]
    start_seq = 0
    if after is not None:
        start_seq = await pool.fetchval(
            "SELECT seq FROM risk_events WHERE event_id = $1::uuid", after
        )
    where = "last page" if deep else "first page"
    comparison = LatencyComparison(
        f"riskHistory(first: {FIRST}) {where}{', totalCount' if counted else ''},"
        f" {entries:,} entries, {'admin' if who is ADMIN else 'system owner'}"
        f" ({len(cursors):,} readable)",
        "its page's rows (asyncpg)",
    )
    query = COUNTED if counted else PAGE
    for _ in range(rounds()):
        ours, baseline = Latencies(), Latencies()
        for _ in range(ASKED):
            started = time.perf_counter()
            answer = await execute(pool, query, who, vendorId=vendor_id, after=after)
            ours.add(time.perf_counter() - started)
            started = time.perf_counter()
            await pool.fetch(BARE, vendor_id, start_seq, FIRST + 1)
            baseline.add(time.perf_counter() - started)
            page = answer["riskHistory"]
            assert [e["cursor"] for e in page["edges"]] == expected
            assert page["pageInfo"]["hasNextPage"] is not deep
            if counted:
                assert page["totalCount"] == len(cursors)
        comparison.add_round(ours, baseline)
    return comparison


async def test_a_history_page_does_not_grow_with_the_vendor_s_history(
    pool: asyncpg.Pool, latency_report: Callable[[LatencyComparison], None]
) -> None:
    owner = Principal("bench-owner", Role.SYSTEM_OWNER, (MINE,))
    for entries in SIZES:
        vendor_id = f"hist-{entries}"
        seeded = await _seeded(pool, vendor_id, entries)
        every = [cursor for cursor, _ in seeded]
        mine = [cursor for cursor, hidden in seeded if not hidden]
        cases = [
            (who, cursors, counted, deep)
            for who, cursors in ((ADMIN, every), (owner, mine))
            for counted, deep in ((False, False), (False, True), (True, False))
        ]
        for who, cursors, counted, deep in cases:
            comparison = await _measure(pool, who, vendor_id, entries, cursors, counted, deep)
            latency_report(comparison)
            print("\n" + " | ".join(comparison.row()))
        current = await _current(pool, vendor_id, entries)
        latency_report(current)
        print("\n" + " | ".join(current.row()))


async def _current(pool: asyncpg.Pool, vendor_id: str, entries: int) -> LatencyComparison:
    """The vendor's current score (`vendor { riskScore }`), next to loading its state's items:
    derived from the state, it grows with the record's items, not with the history."""
    comparison = LatencyComparison(
        f"vendor {{ riskScore }}, {entries:,} entries, admin", "its state's items (asyncpg)"
    )
    for _ in range(rounds()):
        ours, baseline = Latencies(), Latencies()
        for _ in range(ASKED):
            started = time.perf_counter()
            answer = await execute(pool, CURRENT, vendorId=vendor_id)
            ours.add(time.perf_counter() - started)
            started = time.perf_counter()
            await pool.fetch(ITEMS, [vendor_id])
            baseline.add(time.perf_counter() - started)
            assert answer["vendor"]["riskScore"] is not None
        comparison.add_round(ours, baseline)
    return comparison
