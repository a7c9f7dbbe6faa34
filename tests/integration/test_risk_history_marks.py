"""Reading a vendor's risk history from the states kept at points of it (storage/history_marks.py):
a page deep in the history answers, to the bit, what folding the vendor's events from its
first answers, and a rebuild writes the same kept states as live batches wrote."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg
import pytest

from services.ingest.handlers import ingest_batch
from services.platform.eventlog.embedded import drain
from services.platform.postgres.database import Connection
from services.risk import history as risk_history
from services.risk.domain.model import load_model
from services.risk.domain.risk_score import RiskScore
from services.risk.handlers import risk_consumer
from services.risk.rebuild import rebuild
from services.risk.storage import history_reads
from services.risk.storage.history_marks import EVERY
from tests.support import case_b, event_log, workload
from tests.support.event_examples import envelope
from tests.support.in_process_api import execute
from tests.support.registry import REGISTRY
from tests.support.risk_answers import apply_workload
from tests.support.risk_service import service
from tests.support.throughput import CI_EVENTS

pytestmark = pytest.mark.postgres

MODEL = load_model()
VENDOR = "marked-vendor"
PAGE = """query ($id: ID!, $after: String) {
  riskHistory(vendorId: $id, first: 4, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id asOf score band factors { name contribution evidence { note } } } }
  } }"""


async def _from_the_first_event(
    conn: Connection, vendor_id: str, rows: Sequence[asyncpg.Record]
) -> dict[int, RiskScore]:
    """The rows' scores as reading derived them before any state was kept: every event of
    the vendor's folded from its first."""
    events = await history_reads.subject_events(conn, vendor_id, [(0, rows[-1]["seq"])])
    return risk_history.derive(vendor_id, MODEL, rows, events)


async def test_pages_read_from_kept_states_are_those_folded_from_the_first_event(
    pool: asyncpg.Pool,
) -> None:
    events = workload.build(CI_EVENTS)
    await event_log.append(pool, events.events)
    await apply_workload(pool, events)
    longest = await pool.fetch(
        "SELECT vendor_id, count(*) AS entries FROM risk_history GROUP BY vendor_id"
        " HAVING count(*) > $1 ORDER BY count(*) DESC, vendor_id LIMIT 6",
        2 * EVERY,
    )
    assert len(longest) >= 3
    marks = await pool.fetchval("SELECT count(*) FROM risk_history_marks")
    assert marks >= sum(r["entries"] // EVERY for r in longest)
    compared = 0
    async with pool.acquire() as conn:
        for vendor in (r["vendor_id"] for r in longest):
            rows = await history_reads.history(conn, vendor)
            expected = await _from_the_first_event(conn, vendor, rows)
            # Pages of five at every depth (each from the kept state before it), and rows
            # far apart, as a system owner's page may be (several kept states in one read).
            pages = [rows[at : at + 5] for at in range(0, len(rows), 7)]
            for page in [*pages, rows[3 :: EVERY + 5], rows[EVERY - 1 :: EVERY]]:
                read = await risk_history.scored(conn, MODEL, vendor, page)
                assert [(seq, score) for seq, _, score in read] == [
                    (r["seq"], expected[r["seq"]]) for r in page
                ]
                compared += len(page)
    assert compared > 400


def _events(vendor_id: str) -> list[dict[str, Any]]:
    """A vendor's history longer than several kept states apart: contracts whose ids do not
    sort as they were awarded, amended in turn, one terminated, an incident on one, and
    amendments effective before what came before them (a day before their contract's horizon:
    its item folded again from its own events when read)."""
    suffixes = ("zeta", "alpha", "mu", "beta")
    awards = [
        envelope(
            "contract.awarded",
            {
                "contract_id": f"{vendor_id}-{suffix}",
                "agency": "市民課",
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
        for suffix in suffixes
    ]
    amendments = [
        envelope(
            "contract.amended",
            {
                # The terminated one ("beta") amended before its termination only.
                "contract_id": f"{vendor_id}-{suffixes[n % (4 if n < EVERY else 3)]}",
                "effective_on": f"2021-{6 + n % 5:02d}-01" if n % 11 else "2021-05-01",
                "ends_on": f"2029-{1 + n % 12:02d}-28",
                "amount": 1_000_000 + n,
                "reason": "Scope changed.",
            },
            vendor_id,
        )
        for n in range(3 * EVERY)
    ]
    terminated = envelope(
        "contract.terminated",
        {
            "contract_id": f"{vendor_id}-beta",
            "terminated_on": "2022-01-31",
            "reason": "migrated",
            "note": "Moved to another vendor.",
        },
        vendor_id,
    )
    incident = envelope(
        "incident.reported",
        {
            "incident_id": "inc-1",
            "kind": "data_loss",
            "severity": "high",
            "occurred_on": "2021-09-01",
            "reported_on": "2021-09-03",
            "contract_id": f"{vendor_id}-zeta",
            "description": "Records lost.",
        },
        vendor_id,
    )
    return [
        case_b.another_vendor(vendor_id),
        *awards,
        *amendments[:EVERY],
        incident,
        *amendments[EVERY : 2 * EVERY],
        terminated,
        *amendments[2 * EVERY :],
    ]


async def _kept(pool: asyncpg.Pool) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The kept states, by entry and event (the seqs differ between a live run and a rebuild)."""
    marks = await pool.fetch(
        """SELECT k.vendor_id, k.entry, e.event_id, k.horizon, k.digests::text
           FROM risk_history_marks k JOIN risk_events e USING (seq)
           ORDER BY k.vendor_id, k.entry"""
    )
    items = await pool.fetch(
        """SELECT vendor_id, item, entry, fact::text, horizon, terminated
           FROM risk_history_items ORDER BY vendor_id, item, entry"""
    )
    return [tuple(r) for r in marks], [tuple(r) for r in items]


async def _pages(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    """Every page of the vendor's history, through the API."""
    pages, after = [], None
    while True:
        page = (await execute(pool, PAGE, id=VENDOR, after=after))["riskHistory"]
        pages.append(page)
        if not page["pageInfo"]["hasNextPage"]:
            return pages
        after = page["pageInfo"]["endCursor"]


async def test_a_rebuild_keeps_the_states_live_batches_kept_and_pages_read_alike_without(
    pool: asyncpg.Pool,
) -> None:
    risk = service()
    events = _events(VENDOR)
    # Live, in batches of seven: the kept states fall inside batches and across their ends.
    for start in range(0, len(events), 7):
        await ingest_batch(pool, [case_b.line(e) for e in events[start : start + 7]])
        await drain(pool, REGISTRY)
        await drain(pool, risk_consumer(risk))
    entries = await pool.fetchval("SELECT count(*) FROM risk_history WHERE vendor_id = $1", VENDOR)
    assert entries == len(events) - 1
    live = await _kept(pool)
    assert [entry for _, entry, *_ in live[0]] == list(range(EVERY, entries + 1, EVERY))
    pages = await _pages(pool)
    assert len(pages) > entries // 4

    await rebuild(pool, risk)  # one batch for the whole log

    assert await _kept(pool) == live
    assert await _pages(pool) == pages
    # Without the kept states every page is folded from the vendor's first event: the same.
    await pool.execute("DELETE FROM risk_history_items")
    await pool.execute("DELETE FROM risk_history_marks")
    assert await _pages(pool) == pages
