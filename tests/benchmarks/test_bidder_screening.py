"""`screenBidders`' name matching: a list of bidders given by name screened by the service
(`bidder_screening.service.screen_bidders`, its statements on a real PostgreSQL) against the
World Bank's, IDB's and EBRD's lists in full, every entity a vendor with its sanctions; next
to one rapidfuzz `cdist` of the same normalised names (compact forms by `fuzz.ratio`, the
review threshold as cut-off: the bare matching work, without candidates, the word scorer or
answers). Measured, not asserted (a shared machine). The issue's size, 5,000 names:

    VENDORWATCH_BENCH_BIDDERS=5000 ./scripts/test tests/benchmarks/test_bidder_screening.py

CI runs 250. The names are the lists' own, varied as the labelled pairs vary them
(tests/support/name_pairs.py: a typo, the legal form written another way, the accents
dropped, or as listed), each with its entity's country: every name is near a listed one, so
this is the costly case (most names have candidates, many are flagged).
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import random
import statistics
import time

import asyncpg
import pytest
from rapidfuzz import fuzz, process

from services.imports.entries import ListEntry
from services.imports.events import entry_events
from services.platform.consuming.consumer import apply_serialized_batch
from services.platform.operations.collector import tune_for_long_runs
from services.platform.settings import Settings
from services.registry.bidder_screening.matching import Thresholds
from services.registry.bidder_screening.model import Bidder, Status
from services.registry.bidder_screening.service import Day, screen_bidders
from services.registry.domain.names import fold_accents, name_tokens
from services.registry.name_search.name_index_feed import LiveNameIndex
from tests.support import name_pairs
from tests.support.registry import REGISTRY

pytestmark = pytest.mark.postgres

BIDDERS_VARIABLE = "VENDORWATCH_BENCH_BIDDERS"
CI_BIDDERS = 250
ROUNDS = 3
DAY = dt.date(2025, 1, 8)  # the day after the lists were downloaded
SETTINGS = Settings(database_url="unused")
THRESHOLDS = Thresholds(
    SETTINGS.screening_review_threshold, SETTINGS.screening_other_country_threshold
)


def _vendors() -> list[ListEntry]:
    """Every entity of the three lists, once (its first entry: later ones are its other
    sanctions, which would register it again)."""
    seen: set[str] = set()
    kept = []
    for entry in name_pairs.entries():
        vendor = entry_events(entry, register=True).vendor_id
        if vendor not in seen:
            seen.add(vendor)
            kept.append(entry)
    return kept


async def _seed(pool: asyncpg.Pool, entries: list[ListEntry]) -> None:
    lines = [
        e.model_dump_json().encode()
        for entry in entries
        for e in entry_events(entry, register=True).events
    ]
    for start in range(0, len(lines), 500):
        await apply_serialized_batch(pool, REGISTRY, lines[start : start + 500])
    assert await pool.fetchval("SELECT count(*) FROM dead_letters") == 0


def _bidders(entries: list[ListEntry], count: int) -> list[Bidder]:
    rng = random.Random(20250108)
    bidders = []
    for n in range(count):
        entry = rng.choice(entries)
        way = n % 4
        if way == 0:
            name = name_pairs.typo(entry.name, 1 + len(entry.name) // 30)
        elif way == 1:
            name = name_pairs.legal_form_variant(entry.name) or entry.name
        elif way == 2:
            name = name_pairs.transliterated(entry.name)
        else:
            name = entry.name
        bidders.append(Bidder(f"b{n}", name=name, country=entry.country))
    return bidders


def _compact(name: str) -> str:
    return name_tokens(fold_accents(name)).replace(" ", "")


async def test_screening_names_against_the_three_banks_lists(
    pool: asyncpg.Pool, capsys: pytest.CaptureFixture[str]
) -> None:
    """Medians of ROUNDS rounds, after a first request that builds the name index and the
    barred names' index (timed apart: the first request after the barred set changes)."""
    count = int(os.environ.get(BIDDERS_VARIABLE, CI_BIDDERS))
    entries = _vendors()
    await _seed(pool, entries)
    bidders = _bidders(entries, count)
    names = LiveNameIndex()

    previous = gc.get_threshold()
    tune_for_long_runs()  # as every vendorwatch process does
    try:
        started = time.perf_counter()
        answers = await screen_bidders(pool, names, bidders, Day(DAY), THRESHOLDS)
        first = time.perf_counter() - started
        ours = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            again = await screen_bidders(pool, names, bidders, Day(DAY), THRESHOLDS)
            ours.append(time.perf_counter() - started)
            assert again == answers
    finally:
        gc.set_threshold(*previous)
    flagged = sum(a.status is Status.POSSIBLE_MATCH for a in answers)
    # What a matcher that flagged nothing would fail: most names are a listed one's variant.
    assert flagged >= count // 2

    listed = [_compact(n) for e in entries for n in (e.name, *e.aliases)]
    asked = [_compact(b.name or "") for b in bidders]
    baseline = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        process.cdist(asked, listed, scorer=fuzz.ratio, score_cutoff=THRESHOLDS.review, workers=1)
        baseline.append(time.perf_counter() - started)

    ours_p50, baseline_p50 = statistics.median(ours), statistics.median(baseline)
    with capsys.disabled():
        print(
            f"\nscreenBidders by name, {count:,} names against {len(entries):,} listed"
            f" entities ({len(listed):,} names), medians of {ROUNDS} rounds:"
            f" service {ours_p50:.2f} s ({ours_p50 / count * 1000:.2f} ms a name; first"
            f" request {first:.2f} s), {flagged:,} flagged; baseline rapidfuzz cdist of the"
            f" compact forms (fuzz.ratio only) {baseline_p50:.2f} s; ratio"
            f" {ours_p50 / baseline_p50:.1f}x"
        )
