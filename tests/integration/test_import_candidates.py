"""Every review candidate of a big import, on a real PostgreSQL: `vendorwatch import` sends the
report (its first LISTED candidates) and listings of the rest; each candidate that may be a
watched vendor alerts each agency watching it, once, however often the events are applied;
the API pages through every candidate; a listing that does not fit its report is refused."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from services.alerts import setup as alerts_setup
from services.cli import importing, rebuilding
from services.events.alerts import watchlist_key
from services.events.imports import LISTED, PART
from services.ingest.handlers import Rejected, ingest_batch
from services.platform.eventlog.embedded import drain
from services.platform.settings import Settings
from tests.support import case_b
from tests.support.event_examples import envelope, example
from tests.support.in_process_api import execute
from tests.support.live_consumers import drain_registry
from tests.support.registry_db import apply, rejection
from tests.support.worldbank_csv import HEADER

pytestmark = pytest.mark.postgres

MINE, THEIRS = "市民課", "税務課"
# More candidates than the report and two full listings hold: three listings.
FIRMS = LISTED + 2 * PART + 50
# Of those, the ones THEIRS watches too: among the last listing's.
THEIRS_WATCH = range(FIRMS - 5, FIRMS)
CANDIDATES = """query ($id: ID!, $after: String) { importReport(reportId: $id) {
  reviewCount review { line } candidates(first: 500, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { line name vendorId candidateName candidateVendorId score why } } } } }"""


def _known(n: int) -> str:
    return f"known-{n:04d}"


def _name(n: int) -> str:
    """A name no other firm's resembles (hex digits as letters), so each entry has one
    candidate: the known firm of its name."""
    digits = hashlib.sha256(str(n).encode()).hexdigest()[:14]
    return digits.translate(str.maketrans("0123456789abcdef", "ABCDEFGHIJKLMNOP")) + " LTD"


def _saved(agency: str, vendor_ids: list[str]) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "agency": agency,
        "name": "bidders 2026-12",
        "vendor_ids": vendor_ids,
    }
    return envelope("watchlist.saved", payload, watchlist_key(agency, payload["name"]))


async def _alerts(pool: asyncpg.Pool) -> set[tuple[str, str, int]]:
    rows = await pool.fetch(
        """SELECT agency, vendor_id, (possible_match ->> 'line')::int AS line FROM alerts
           WHERE change = 'possible_match'"""
    )
    return {(r["agency"], r["vendor_id"], r["line"]) for r in rows}


async def test_every_candidate_of_a_big_import_alerts_its_watchers_once_and_is_listed(
    pool: asyncpg.Pool, database_url: str, tmp_path: Path
) -> None:
    settings = Settings(database_url=database_url)
    alerts = alerts_setup.consumer(settings)
    # Firms the registry knows in Japan; the list names each of them in Azerbaijan: "same
    # name, other country", a candidate for review, never a join.
    known = [
        envelope("vendor.registered", {"legal_name": _name(n), "country": "JP"}, _known(n))
        for n in range(FIRMS)
    ]
    watchlists = [
        _saved(MINE, [_known(n) for n in range(FIRMS)]),
        _saved(THEIRS, [_known(n) for n in THEIRS_WATCH]),
    ]
    # Through the log, as a producer's, so that a rebuild replays them too.
    outcomes = await ingest_batch(pool, [case_b.line(e) for e in (*known, *watchlists)])
    assert not [o for o in outcomes if isinstance(o, Rejected)]
    await drain_registry(database_url, settings)  # the importer reads the vendors it knows
    await drain(pool, alerts)  # the watchlists, before any candidate
    file = tmp_path / "wb-big.csv"
    rows = [
        f'{_name(n)},,"1 STREET, BAKU",Azerbaijan,2026-01-10,2028-01-09,Fraud\n'
        for n in range(FIRMS)
    ]
    file.write_text(HEADER + "".join(rows), encoding="utf-8")

    with file.open("rb") as opened:
        await importing.run("worldbank", opened, None, database_url, None, dry_run=False)
    await drain_registry(database_url, settings)
    await drain(pool, alerts)

    report_id = await pool.fetchval("SELECT event_id FROM registry_import_reports")
    listings = await pool.fetch(
        """SELECT envelope -> 'payload' ->> 'offset' AS at FROM event_store
           WHERE event_type = 'import.candidates_listed' ORDER BY seq"""
    )
    assert [int(r["at"]) for r in listings] == [LISTED, LISTED + PART, LISTED + 2 * PART]
    # Each firm's entry (line n + 2) alerts MINE; the last five alert THEIRS too.
    expected = {(MINE, _known(n), n + 2) for n in range(FIRMS)}
    expected |= {(THEIRS, _known(n), n + 2) for n in THEIRS_WATCH}
    assert await _alerts(pool) == expected
    assert await pool.fetchval("SELECT count(*) FROM alerts") == len(expected)
    causes = await pool.fetch("SELECT DISTINCT cause_event_id FROM alerts")
    assert [r["cause_event_id"] for r in causes] == [report_id]
    announced = await pool.fetchval("SELECT count(*) FROM alert_outbox")
    assert announced == len(expected)

    # Replayed from an empty ledger: every alert found, none raised nor announced again.
    await pool.execute("DELETE FROM processed_events WHERE consumer = 'alerts'")
    await pool.execute("DELETE FROM consumer_offsets WHERE consumer = 'alerts'")
    await drain(pool, alerts)
    assert await _alerts(pool) == expected
    assert await pool.fetchval("SELECT count(*) FROM alerts") == len(expected)
    assert await pool.fetchval("SELECT count(*) FROM alert_outbox") == announced

    # The API: `review` keeps the report's first LISTED; `candidates` pages through all.
    first = (await execute(pool, CANDIDATES, id=str(report_id)))["importReport"]
    assert first["reviewCount"] == FIRMS and len(first["review"]) == LISTED
    page = first["candidates"]
    assert page["totalCount"] == FIRMS and page["pageInfo"]["hasNextPage"] is True
    seen = [edge["node"] for edge in page["edges"]]
    while page["pageInfo"]["hasNextPage"]:
        after = page["pageInfo"]["endCursor"]
        page = (await execute(pool, CANDIDATES, id=str(report_id), after=after))["importReport"][
            "candidates"
        ]
        seen += [edge["node"] for edge in page["edges"]]
    assert [c["line"] for c in seen] == [n + 2 for n in range(FIRMS)]
    assert [c["candidateVendorId"] for c in seen] == [_known(n) for n in range(FIRMS)]
    assert seen[-1] == {
        "line": FIRMS + 1,
        "name": _name(FIRMS - 1),
        "vendorId": seen[-1]["vendorId"],
        "candidateName": _name(FIRMS - 1),
        "candidateVendorId": _known(FIRMS - 1),
        "score": 100.0,
        "why": "same name, other country (JP)",
    }
    assert seen[-1]["vendorId"].startswith("worldbank:")

    # The candidates are facts of the log: a rebuild of the registry writes the same rows.
    stored = "SELECT * FROM registry_import_candidates ORDER BY report_id, position"
    before = [tuple(r) for r in await pool.fetch(stored)]
    await rebuilding.rebuild(settings, ["registry"], force=False)
    assert [tuple(r) for r in await pool.fetch(stored)] == before


def _listing(report_id: str, offset: int, lines: range, source: str = "worldbank") -> Any:
    [candidate] = example("import.reported")["review"]
    payload = {
        "source": source,
        "report_id": report_id,
        "offset": offset,
        "candidates": [candidate | {"line": line} for line in lines],
    }
    return envelope("import.candidates_listed", payload, "import:worldbank")


async def test_a_listing_that_does_not_fit_its_report_is_refused_saying_why(
    pool: asyncpg.Pool,
) -> None:
    # A report counting three candidates, listing the first.
    report = envelope(
        "import.reported", example("import.reported", review_count=3), "import:worldbank"
    )
    await apply(pool, report)
    unknown = str(uuid.uuid4())
    assert (await rejection(pool, _listing(unknown, 1, range(41, 43)))).startswith(
        f"report_id: no import report {unknown}"
    )
    ours = report["event_id"]
    assert await rejection(pool, _listing(ours, 1, range(41, 43), "idb")) == (
        "source: idb, the report is of worldbank"
    )
    assert await rejection(pool, _listing(ours, 0, range(41, 43))) == (
        "offset: 0 is among the report's own 1 candidates"
    )
    assert await rejection(pool, _listing(ours, 2, range(41, 43))) == (
        "candidates: positions 2–3, the report counts 3"
    )
    await apply(pool, _listing(ours, 1, range(41, 43)))
    assert await rejection(pool, _listing(ours, 2, range(42, 43))) == (
        f"offset: positions 2–2 of report {ours} are listed already"
    )
    lines = await pool.fetch(
        "SELECT line FROM registry_import_candidates WHERE report_id = $1 ORDER BY position",
        uuid.UUID(ours),
    )
    assert [r["line"] for r in lines] == [40, 41, 42]
