"""Importing an OCDS release package: a generated package read and mapped to events as
`vendorwatch import ocds` does (streamed into the scratch database, two passes over its
processes; everything but reading the registry's state and sending), next to reading the same
file's releases with `ijson.items` alone. Measured, not asserted (a shared machine):

    VENDORWATCH_BENCH_RELEASES=100000 ./scripts/test tests/benchmarks/test_ocds_package_import.py

CI runs 1,500 releases; VENDORWATCH_BENCH_ROUNDS sets the timed rounds (3). The package has the
shape of a real register: each process three releases (tender with its buyer and tenderers,
award with its supplier, contract) spread over the file, suppliers and tenderers drawn from a
pool of a fifth as many firms as releases (so the vendors grow with the file), the package's
own fields after the releases (as Armenia's). Peak memory is measured at a tenth of the
releases and at all of them, each in a fresh interpreter (`tests/support/peak_memory.py`):
an import keeps what crosses processes on disk (`imports/ocds_scratch.py`), so the traced
peak stays flat; their ratio is the measure.
"""

from __future__ import annotations

import io
import json
import os
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ijson
import pytest

from services.imports.ocds.mapping import mapped
from services.imports.ocds.outcomes import Outcome, Tally
from services.imports.ocds.reading import BACKEND, read
from services.imports.ocds.scratch import OcdsScratch
from tests.support.peak_memory import peaks
from tests.support.throughput import ROUNDS_VARIABLE

RELEASES_VARIABLE = "VENDORWATCH_BENCH_RELEASES"
CI_RELEASES = 1_500
STAGES = ("tender", "award", "contract")
SPREAD = 100  # processes whose releases interleave: a process's three are ~300 releases apart
_WORDS = ("Alpha", "Beta", "Orion", "Vega", "Nova", "Terra", "Stone", "River", "Union", "Star")


def _party(firm: int, role: str) -> dict[str, Any]:
    name = f"{_WORDS[firm % 10]} {_WORDS[firm // 10 % 10]} {firm:06d} SPY"
    return {
        "id": f"AM-TIN-{firm:08d}",
        "name": name,
        "name_hy": f"«{name}» ՍՊԸ",
        "identifier": {"scheme": "AM-TIN", "id": f"{firm:08d}", "legalName": name},
        "address": {"countryName": "AM", "locality": "Yerevan"},
        "roles": [role],
    }


def _release(process: int, stage: str, rng: random.Random, firms: int) -> dict[str, Any]:
    ocid = f"ocds-bench-{process:07d}"
    buyer = {"id": f"BUYER-{process % 40}", "name": f"Ministry {process % 40}"}
    day = f"2024-{1 + process % 12:02d}-{1 + process % 28:02d}"
    release: dict[str, Any] = {
        "ocid": ocid,
        "id": f"{ocid}-{stage}",
        "date": f"{day}T{9 + STAGES.index(stage):02d}:00:00+04:00",
        "tag": [stage],
        "language": "hy",
        "buyer": buyer,
        "parties": [{**buyer, "roles": ["buyer"]}],
    }
    amount = rng.randrange(10_000, 10_000_000)
    if stage == "tender":
        tenderers = [_party(rng.randrange(firms), "tenderer") for _ in range(2)]
        release["parties"].extend(tenderers)
        release["tender"] = {
            "id": f"{ocid}-t",
            "title": f"Supply {process}",
            "mainProcurementCategory": rng.choice(("goods", "works", "services")),
            "value": {"amount": amount, "currency": "AMD"},
            "tenderers": [{"id": p["id"], "name": p["name"]} for p in tenderers],
        }
    elif stage == "award":
        supplier = _party(rng.randrange(firms), "supplier")
        release["parties"].append(supplier)
        release["awards"] = [
            {
                "id": f"{ocid}-a",
                "status": "active",
                "date": f"{day}T12:00:00+04:00",
                "suppliers": [{"id": supplier["id"], "name": supplier["name"]}],
                "value": {"amount": amount, "currency": "AMD"},
            }
        ]
    else:
        release["contracts"] = [
            {
                "id": f"{ocid}-c",
                "awardID": f"{ocid}-a",
                "title": f"Contract {process}",
                "status": "active",
                "dateSigned": f"{day}T15:00:00+04:00",
                "period": {"startDate": day, "endDate": f"2025-{day[5:]}"},
                "value": {"amount": amount, "currency": "AMD"},
            }
        ]
    return release


def _write_package(path: Path, count: int) -> None:
    """`count` releases (count // 3 processes), written a release at a time."""
    rng = random.Random(20240401)
    processes, firms = count // len(STAGES), max(10, count // 5)
    with path.open("w", encoding="utf-8") as stream:
        stream.write('{"uri": "https://bench.example/ocds", "publisher": {"name": "Bench"},')
        stream.write(' "version": "1.1", "releases": [')
        first = True
        for block in range(0, processes, SPREAD):
            for stage in STAGES:
                for process in range(block, min(block + SPREAD, processes)):
                    stream.write("" if first else ",\n")
                    json.dump(_release(process, stage, rng, firms), stream, ensure_ascii=False)
                    first = False
        stream.write('], "publishedDate": "2024-12-31T00:00:00Z", "extensions": []}')


def _ours(path: Path) -> Tally:
    tally = Tally()
    with OcdsScratch() as scratch, path.open("rb") as stream:
        package = read(io.BufferedReader(stream), scratch)
        for _ in mapped(package, scratch, tally):
            pass
    return tally


def _baseline(path: Path) -> int:
    with path.open("rb") as stream:
        return sum(1 for _ in ijson.items(stream, "releases.item", use_float=True))


def _seconds(work: Callable[[], object]) -> float:
    before = time.perf_counter()
    work()
    return time.perf_counter() - before


def test_a_large_ocds_package_imports_in_flat_memory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    releases = int(os.environ.get(RELEASES_VARIABLE, CI_RELEASES))
    rounds = int(os.environ.get(ROUNDS_VARIABLE, 3))
    small, large = tmp_path / "small.json", tmp_path / "large.json"
    _write_package(small, releases // 10)
    _write_package(large, releases)
    processes = releases // len(STAGES)

    timed: list[float] = []
    for _ in range(rounds):
        before = time.perf_counter()
        tally = _ours(large)
        timed.append(time.perf_counter() - before)
        # What it must have done, whatever the time: every process's contract awarded.
        assert tally.processes == processes and not tally.refused, tally.refused[:3]
        assert tally.contracts_awarded == tally.count("contract", Outcome.APPLIED) == processes
    ours = statistics.median(timed)
    baseline = statistics.median(_seconds(lambda: _baseline(large)) for _ in range(rounds))
    work = "tests.benchmarks.test_ocds_package_import:_ours"
    (_, traced_small, rss_small), (start, traced_large, rss_large) = (
        peaks(path, work) for path in (small, large)
    )
    mib = 1 << 20
    with capsys.disabled():
        print(
            f"\nOCDS import, {releases:,} releases ({processes:,} processes,"
            f" {tally.vendors_registered:,} vendors, {large.stat().st_size / mib:.0f} MiB;"
            f" ijson backend {BACKEND}; medians of {rounds} rounds):"
            f" VendorWatch {releases / ours:,.0f} releases/s ({ours:.2f} s, read + compile +"
            f" events); baseline ijson.items {releases / baseline:,.0f} releases/s"
            f" ({baseline:.2f} s); ratio {baseline / ours:.3f} (ours / baseline speed,"
            " higher is better)"
            f"\n  peak traced memory: {traced_small / mib:.1f} MiB at {releases // 10:,}"
            f" releases, {traced_large / mib:.1f} MiB at {releases:,}"
            f" ({traced_large / traced_small:.2f}x for 10x the releases)"
            f"\n  peak resident set: {rss_small / mib:.0f} MiB at {releases // 10:,} releases,"
            f" {rss_large / mib:.0f} MiB at {releases:,} ({rss_large / rss_small:.2f}x;"
            f" {start / mib:.0f} MiB before the import, so {(rss_small - start) / mib:.0f} and"
            f" {(rss_large - start) / mib:.0f} MiB for it)"
        )
