"""Importing a debarment list: generated rows in the World Bank's CSV layout, read, resolved
and turned into events (`importing.planned_events`, everything an import does but reading the
registry's state and sending), next to reading the same file with the csv module alone.
Measured, not asserted (a shared machine). The issue's size, 100,000 rows:

    VENDORWATCH_BENCH_ROWS=100000 ./scripts/test tests/benchmarks/test_list_import.py

CI runs 3,000 (enough rows for a rate and both peaks; 10,000 took 2.2 times as long, the
timed rounds and the two fresh interpreters); VENDORWATCH_BENCH_ROUNDS sets the timed rounds
(3). Peak memory is measured at a tenth of the rows and at all of them, each in a fresh
interpreter: the peak traced by tracemalloc (Python's heap) and the peak resident set
(everything, SQLite's page cache of the import's scratch database included; tracemalloc's own
records too), with the resident set the interpreter had before the import (Linux: /proc). An
import keeps what it learns of each entity on disk (`imports/scratch.py`), so both stay flat
as the rows grow, but for SQLite's page cache filling up to its bound (`scratch.CACHE_KIB`):
their ratio is the measure.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from services.imports.planning import Recorded, planned_events
from services.imports.report import ImportReport
from tests.support.peak_memory import peaks
from tests.support.throughput import ROUNDS_VARIABLE

ROWS_VARIABLE = "VENDORWATCH_BENCH_ROWS"
CI_ROWS = 3_000
TODAY = dt.date(2026, 12, 1)
REAL_LIST = Path(__file__).parents[1] / "data/lists/worldbank_debarred_firms_individuals.csv"
HEADER = (
    "Firm Name",
    "Additional Firm Info",
    "Address",
    "Country",
    "Ineligibility Period From Date",
    "Ineligibility Period To Date",
    "Grounds",
)
_WORDS = (
    "Alpha", "Beta", "Delta", "Orion", "Vega", "Nova", "Terra",
    "Aqua", "Stone", "River", "Green", "Union", "Star", "Bridge",
)  # fmt: skip
_FORMS = ("LLC", "Ltd.", "S.A.", "GmbH", "Co., Ltd.", "JSC", "S.R.L.", "Inc.")


def _real_values() -> tuple[list[str], list[str]]:
    """The countries and grounds the real list uses, so that the generated rows read alike."""
    with REAL_LIST.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    countries = sorted({r["Country"] for r in rows if r["Country"].strip().isalpha()})
    return countries, sorted({r["Grounds"] for r in rows if r["Grounds"]})


def _write_list(path: Path, count: int) -> None:
    """`count` rows: distinct firms, one in ten with an "(aka …)" name, one in ten debarred
    until further notice (2999-12-31), dates over ten years."""
    countries, grounds = _real_values()
    rng = random.Random(20240401)
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADER)
        for n in range(count):
            name = f"{' '.join(rng.sample(_WORDS, 2))} {n:06d} {rng.choice(_FORMS)}"
            info = f"*{n} (aka {rng.choice(_WORDS)} Trading {n:06d})" if n % 10 == 0 else f"*{n}"
            starts = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(3650))
            ends = "2999-12-31" if n % 10 == 1 else str(starts + dt.timedelta(days=365 * 3))
            address = f"{rng.randrange(1, 300)} {rng.choice(_WORDS)} Street"
            country = rng.choice(countries)
            writer.writerow((name, info, address, country, starts, ends, rng.choice(grounds)))


def _ours(path: Path) -> tuple[int, ImportReport]:
    report = ImportReport()
    with path.open(encoding="utf-8-sig", newline="") as stream:
        events = sum(1 for _ in planned_events("worldbank", stream, Recorded(), TODAY, report))
    return events, report


def _baseline(path: Path) -> int:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return sum(1 for _ in csv.reader(stream)) - 1


def _seconds(work: Callable[[], object]) -> float:
    before = time.perf_counter()
    work()
    return time.perf_counter() - before


def test_a_large_list_imports_at_the_speed_of_reading_it_in_flat_memory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = int(os.environ.get(ROWS_VARIABLE, CI_ROWS))
    rounds = int(os.environ.get(ROUNDS_VARIABLE, 3))
    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    _write_list(small, rows // 10)
    _write_list(large, rows)

    timed: list[float] = []
    for _ in range(rounds):
        before = time.perf_counter()
        events, report = _ours(large)
        timed.append(time.perf_counter() - before)
        # What it must have done, whatever the time: every row imposed on a vendor of its own.
        assert report.rows == rows and not report.refused, report.refused[:3]
        assert report.imposed == rows and report.vendors == rows and events == 2 * rows
    ours = statistics.median(timed)
    baseline = statistics.median(_seconds(lambda: _baseline(large)) for _ in range(rounds))
    (_, traced_small, rss_small), (start, traced_large, rss_large) = (
        peaks(path, "tests.benchmarks.test_list_import:_ours") for path in (small, large)
    )
    mib = 1 << 20
    with capsys.disabled():
        print(
            f"\nlist import, {rows:,} World Bank rows (medians of {rounds} rounds):"
            f" VendorWatch {rows / ours:,.0f} rows/s ({ours:.2f} s, read + resolve + events);"
            f" baseline csv.reader {rows / baseline:,.0f} rows/s ({baseline:.2f} s);"
            f" ratio {baseline / ours:.3f} (ours / baseline speed, higher is better)"
            f"\n  peak traced memory: {traced_small / mib:.1f} MiB at {rows // 10:,} rows,"
            f" {traced_large / mib:.1f} MiB at {rows:,} ({traced_large / traced_small:.2f}x for"
            f" 10x the rows)"
            f"\n  peak resident set: {rss_small / mib:.0f} MiB at {rows // 10:,} rows,"
            f" {rss_large / mib:.0f} MiB at {rows:,} ({rss_large / rss_small:.2f}x;"
            f" {start / mib:.0f} MiB before the import, so {(rss_small - start) / mib:.0f} and"
            f" {(rss_large - start) / mib:.0f} MiB for it)"
        )
