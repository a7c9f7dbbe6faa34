"""What the risk service answered for a workload, as one SHA-256 per table: every history row,
current and announced score, announced `risk.changed` event and evidence body. A change that
should only make risk cheaper must leave every digest as it was; a run of the benchmarks'
workload with the code of before records them (`DIGESTS`).

Everything a service answers is compared, nothing it only keeps for itself (its states and
counters may be stored otherwise); what a run cannot repeat is left out: an announcement's
event id (random) and a current score's `updated_at` (PostgreSQL's clock). A current score
stored as points (its evidence derived when read: services/risk/current_scores.py) is
compared as it is read, in the form a score stored with its evidence has: its factors naming
their evidence by digest, and those evidence bodies among the stored ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from typing import Any

import asyncpg

from services.platform.postgres.database import Connection, open_pool
from services.risk import current_scores, history
from services.risk.domain.model import load_model
from services.risk.handlers import RiskService
from services.risk.storage import factor_storage
from tests.support.registry import TOKYO, FixedClock
from tests.support.throughput import BATCH
from tests.support.workload import Workload

# The day the runs are scored for ("today"): after every day of the workload's history.
TODAY = dt.datetime(2026, 12, 2, 9, tzinfo=TOKYO)

# History rows stored with their points (rows the consumer writes now are read: history_as_read).
_STORED_HISTORY = """SELECT h.vendor_id, e.event_id::text, h.as_of::text, h.score::text, h.band,
                            h.model_version, h.factors::text, h.seq
                     FROM risk_history h JOIN risk_events e USING (seq)
                     WHERE h.factors IS NOT NULL"""

# Each table as rows of text, in an order that does not depend on the run (the history's:
# history_as_read).
_TABLES = {
    "current": """SELECT vendor_id, score::text, band, model_version, factors::text, as_of::text
                  FROM risk_current WHERE agency_totals IS NULL ORDER BY vendor_id""",
    "announced": """SELECT vendor_id, score::text, band, model_version, factors::text
                    FROM risk_announced ORDER BY vendor_id""",
    # Without the day they name (said since 2026-12, after the digests were recorded: every
    # one is TODAY here, apply_workload's clock).
    "announcements": """SELECT (((event::jsonb) - 'event_id') #- '{payload,as_of}')::text
                        FROM risk_outbox ORDER BY id""",
    # The bodies the stored scores name (a body no score names any more is no answer).
    "evidence": """SELECT b.digest, b.evidence::text FROM risk_factor_bodies b
                   WHERE b.digest IN (
                       SELECT f ->> 'evidence_digest' FROM risk_current c,
                              jsonb_array_elements(c.factors) f
                       UNION SELECT f ->> 'evidence_digest' FROM risk_announced a,
                              jsonb_array_elements(a.factors) f
                       UNION SELECT f ->> 'evidence_digest' FROM risk_history h,
                              jsonb_array_elements(h.factors) f)
                   ORDER BY b.digest""",
}

# The digests (their first 16 hex digits) the code of commit 35298b8 gives, per workload size;
# the evidence bodies' as the code of 85e20d5 gives them for the query above (the bodies named);
# the history's, without the agencies' totals the rows keep, as the code of 3731e6d gives them
# (whose history, totals included, gave the digests 35298b8 gives).
DIGESTS = {
    3_000: {
        "history": "8926bd407c2b1870",
        "current": "24d591a0d99b57db",
        "announced": "5bf264919e1b5100",
        "announcements": "5092d0f842756803",
        "evidence": "ea02fab3b2d14cc3",
    },
    20_000: {
        "history": "b906f127b2850241",
        "current": "6d9e99e588166c7a",
        "announced": "0a03e921d3a75e6d",
        "announcements": "83c55d3ac9fbeb0f",
        "evidence": "6860594ee094cb84",
    },
}


async def apply_workload(pool: asyncpg.Pool, workload: Workload) -> None:
    """Every event of the workload through the risk batch handler, in log order, `BATCH` per
    transaction, scored for `TODAY` (the registry's verdicts not asked: every event counts).
    The events must be in the log already (`event_log.append`): risk reads the envelopes of
    what it recorded there."""
    service = RiskService(FixedClock(TOKYO, TODAY), load_model())
    events = workload.events
    for start in range(0, len(events), BATCH):
        async with pool.acquire() as conn, conn.transaction():
            await service.apply_batch(conn, events[start : start + BATCH])


async def digests(database_url: str) -> dict[str, str]:
    """Per table of `_TABLES`, the digest of its rows (their first 16 hex digits)."""
    pool = await open_pool(database_url, migrate=False)
    try:
        tables: dict[str, list[tuple[Any, ...]]] = {
            table: [tuple(row) for row in await pool.fetch(query)]
            for table, query in _TABLES.items()
        }
        async with pool.acquire() as conn:
            current, bodies = await _current_as_read(conn)
            tables["history"] = await history_as_read(conn)
        tables["current"] = sorted([*tables["current"], *current])
        stored = {row[0]: row[1] for row in tables["evidence"]}
        tables["evidence"] = sorted((stored | bodies).items())
        found = {}
        for table, rows in tables.items():
            digest = hashlib.sha256()
            for row in rows:
                digest.update("\x1f".join(str(value) for value in row).encode() + b"\n")
            found[table] = digest.hexdigest()[:16]
        return found
    finally:
        await pool.close()


async def _current_as_read(
    conn: Connection,
) -> tuple[list[tuple[str, ...]], dict[str, str]]:
    """The current scores stored as points, as riskiestVendors reads them (their evidence
    derived), in the columns of the `current` query; and the evidence bodies they name. JSON
    goes through PostgreSQL's jsonb, as stored rows' does."""
    service = RiskService(FixedClock(TOKYO, TODAY), load_model())
    every = await conn.fetchval("SELECT count(*) FROM risk_current")
    read = await current_scores.riskiest(conn, service, every, None)
    rows = await conn.fetch(
        """SELECT vendor_id, score::text, band, model_version, as_of::text
           FROM risk_current WHERE agency_totals IS NOT NULL"""
    )
    scores = {vendor_id: score for vendor_id, _, score in read}
    factors, named = [], {}
    for row in rows:
        text, bodies = factor_storage.factors_by_digest(scores[row["vendor_id"]])
        factors.append(text)
        named.update(bodies)
    current = [
        (*tuple(row)[:4], text, row["as_of"])
        for row, text in zip(rows, await _as_jsonb_text(conn, factors), strict=True)
    ]
    bodies = dict(zip(named, await _as_jsonb_text(conn, list(named.values())), strict=True))
    return current, bodies


async def history_as_read(conn: Connection) -> list[tuple[str, ...]]:
    """Every history row as riskHistory reads it, in log order then by vendor (the seqs
    differ between runs, not their order): vendor, event id, day, score, band, model and
    points (JSON as jsonb writes it), all as text; not the agencies' totals a row keeps to be
    scored with, which are the service's own."""
    stored = [tuple(row) for row in await conn.fetch(_STORED_HISTORY)]
    ordered = sorted([*stored, *await _derived_history(conn)], key=lambda row: (row[-1], row[0]))
    return [row[:-1] for row in ordered]


async def _derived_history(conn: Connection) -> list[tuple[Any, ...]]:
    """The history rows stored without their score, derived as riskHistory derives them
    (from the vendor's events and the row's totals: services/risk/history.py), in the
    columns of `_STORED_HISTORY`."""
    model = load_model()
    rows = await conn.fetch(
        """SELECT h.vendor_id, h.seq, e.event_id::text AS event_id, h.as_of, h.model_version,
                  h.factors::text AS factors, h.agency_totals::text AS agency_totals
           FROM risk_history h JOIN risk_events e USING (seq)
           WHERE h.factors IS NULL ORDER BY h.vendor_id, h.seq"""
    )
    events: dict[str, list[tuple[int, str, dt.datetime]]] = defaultdict(list)
    for event in await conn.fetch(
        """SELECT s.vendor_id, s.seq, st.envelope::text AS envelope, st.recorded_at
           FROM risk_event_subjects s
           JOIN risk_events e ON e.seq = s.seq JOIN event_store st USING (event_id)
           ORDER BY s.vendor_id, s.seq"""
    ):
        events[event["vendor_id"]].append((event["seq"], event["envelope"], event["recorded_at"]))
    by_vendor: dict[str, list[asyncpg.Record]] = defaultdict(list)
    for row in rows:
        by_vendor[row["vendor_id"]].append(row)
    scores = {
        (vendor_id, seq): score
        for vendor_id, vendor_rows in by_vendor.items()
        for seq, score in history.derive(vendor_id, model, vendor_rows, events[vendor_id]).items()
    }
    derived = [scores[(row["vendor_id"], row["seq"])] for row in rows]
    texts = await conn.fetch(
        """SELECT s::text AS score, f::text AS factors
           FROM unnest($1::float8[], $2::jsonb[]) WITH ORDINALITY AS u(s, f, n) ORDER BY n""",
        [score.score for score in derived],
        [factor_storage.points_json(score) for score in derived],
    )
    return [
        (
            row["vendor_id"],
            row["event_id"],
            row["as_of"].isoformat(),
            text["score"],
            score.band.value,
            score.model_version,
            text["factors"],
            row["seq"],
        )
        for row, score, text in zip(rows, derived, texts, strict=True)
    ]


async def _as_jsonb_text(conn: Connection, texts: list[str]) -> list[str]:
    """Each JSON text as PostgreSQL's jsonb writes it back (one statement)."""
    rows = await conn.fetch(
        "SELECT t::text AS text FROM unnest($1::jsonb[]) WITH ORDINALITY AS u(t, n) ORDER BY n",
        texts,
    )
    return [row["text"] for row in rows]
