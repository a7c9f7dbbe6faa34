"""The reads that ask which sanctions apply on a day, at the volume of a registry that imports
the banks' debarment lists: `sanctions(activeOn:)` across vendors (through the in-process
API) and `screenBidders` by name (the service, `bidder_screening.service.screen_bidders`),
each next to bare SQL sent by plain asyncpg in the same rounds. Both read every sanction on
each request before (tests/benchmarks/HISTORY.md); their cost must follow the sanctions that
may apply that day, not the table. No time is asserted; the answers are checked to be the
same every round.

The rows are synthetic and written by COPY (the registry's handlers would take minutes):
VENDORWATCH_BENCH_SANCTIONS sanctions (100,000 by default) over half as many vendors, begun
over 25 years, most over by the day asked; periods in months, days, an end date or none
(indefinite); a twentieth amended to a new period and as many lifted, a few affiliations.

    python -m pytest -q -p no:cacheprovider -s tests/benchmarks/test_sanctions_by_day.py
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import pytest

from services.platform.settings import Settings
from services.registry.bidder_screening.matching import Thresholds
from services.registry.bidder_screening.model import Bidder, Status
from services.registry.bidder_screening.service import Day, screen_bidders
from services.registry.name_search.name_index_feed import LiveNameIndex
from tests.support.in_process_api import execute

pytestmark = pytest.mark.postgres

ROUNDS = 5
DAY = dt.date(2025, 1, 8)
FIRST_START = dt.date(2000, 1, 1)
BIDDERS = 200
SETTINGS = Settings(database_url="unused")
THRESHOLDS = Thresholds(
    SETTINGS.screening_review_threshold, SETTINGS.screening_other_country_threshold
)
SYLLABLES = ("ka", "ri", "to", "mo", "ne", "sa", "lu", "vi", "do", "pe", "ga", "zo", "fi", "ra")

ACTIVE = """query ($day: Date!) {
  sanctions(first: 20, activeOn: $day) { totalCount edges { node { sanctionId endsOn } } } }"""
# The bare SQL: the index read of the imposed periods alone, a page and its count (no
# amendment, lift or timeline).
BARE_PAGE = """SELECT * FROM registry_sanctions
    WHERE registry_sanction_days(starts_on, duration_months, duration_days, ends_on) @> $1::date
    ORDER BY sanction_id LIMIT 21"""
BARE_COUNT = """SELECT count(*) FROM registry_sanctions
    WHERE registry_sanction_days(starts_on, duration_months, duration_days, ends_on) @> $1::date"""
# The bare SQL of a screening: every sanction of the vendors with a barring sanction whose
# imposed period meets the day or a later one (what is judged), by the index.
BARE_SCREEN = """SELECT s.* FROM registry_sanctions s WHERE s.vendor_id IN (
    SELECT vendor_id FROM registry_sanctions
    WHERE kind <> 'warning' AND registry_sanction_days(
        starts_on, duration_months, duration_days, ends_on) && daterange($1::date, NULL))"""


def _size() -> int:
    return int(os.environ.get("VENDORWATCH_BENCH_SANCTIONS", "100000"))


def _name(rng: random.Random) -> str:
    word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
    other = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
    return f"{word.title()} {other.title()} {rng.choice(('Ltd', 'S.A.', 'GmbH', 'K.K.'))}"


def _period(rng: random.Random, starts_on: dt.date) -> tuple[Any, ...]:
    """(duration_months, duration_days, ends_on, indefinite)."""
    way = rng.random()
    if way < 0.4:
        return rng.randint(6, 60), None, None, False
    if way < 0.7:
        return None, rng.randint(30, 1500), None, False
    if way < 0.92:
        return None, None, starts_on + dt.timedelta(days=rng.randint(0, 2000)), False
    return None, None, None, True


async def _seed(pool: asyncpg.Pool, sanctions: int) -> list[str]:
    """The rows, by COPY; the vendors' names."""
    rng = random.Random(20250108)
    vendors = [f"v{n:06d}" for n in range(sanctions // 2)]
    names = [_name(rng) for _ in vendors]
    event = uuid.uuid4
    await pool.copy_records_to_table(
        "registry_vendors",
        records=[
            (v, n, rng.choice(("JP", "US", "BR", None)), event())
            for v, n in zip(vendors, names, strict=True)
        ],
        columns=["vendor_id", "legal_name", "country", "event_id"],
    )
    await pool.copy_records_to_table(
        "registry_vendor_names",
        records=[(v, "legal", n) for v, n in zip(vendors, names, strict=True)],
        columns=["vendor_id", "kind", "name"],
    )
    rows: list[tuple[Any, ...]] = []
    changes: list[tuple[Any, ...]] = []
    span = (DAY - FIRST_START).days + 180
    for n in range(sanctions):
        starts_on = FIRST_START + dt.timedelta(days=rng.randrange(span))
        kind = rng.choices(("debarment", "bid_suspension", "warning"), (45, 45, 10))[0]
        sanction_id = f"s{n:07d}"
        rows.append(
            (
                sanction_id,
                rng.choice(vendors),
                kind,
                "Synthetic authority",
                starts_on - dt.timedelta(days=1),
                starts_on,
                *_period(rng, starts_on),
                rng.random() < 0.2,
                ["fraud"],
                False,
                [],
                event(),
            )
        )
        chance = rng.random()
        if chance < 0.05:  # a new period, from some day of the first
            effective_on = starts_on + dt.timedelta(days=rng.randint(0, 900))
            months = rng.randint(12, 96)
            changes.append((sanction_id, False, effective_on, months, "extended", event()))
        elif chance < 0.10:
            effective_on = starts_on + dt.timedelta(days=rng.randint(0, 900))
            changes.append((sanction_id, True, effective_on, None, "lifted", event()))
    await pool.copy_records_to_table(
        "registry_sanctions",
        records=rows,
        columns=[
            "sanction_id", "vendor_id", "kind", "authority", "decided_on", "starts_on",
            "duration_months", "duration_days", "ends_on", "indefinite", "covers_affiliates",
            "grounds", "serious", "incident_ids", "event_id",
        ],
    )  # fmt: skip
    await pool.copy_records_to_table(
        "registry_sanction_changes",
        records=changes,
        columns=["sanction_id", "lifted", "effective_on", "duration_months", "reason", "event_id"],
    )
    affiliations = [
        (rng.choice(vendors), rng.choice(vendors), "parent", "added", dt.date(2010, 1, 1), event())
        for _ in range(len(vendors) // 25)
    ]
    await pool.copy_records_to_table(
        "registry_affiliation_changes",
        records=affiliations,
        columns=[
            "vendor_id",
            "related_vendor_id",
            "relation",
            "change",
            "effective_on",
            "event_id",
        ],
    )
    for table in ("registry_vendors", "registry_sanctions", "registry_sanction_changes"):
        await pool.execute(f"ANALYZE {table}")
    return names


async def _timed(work: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    started = time.perf_counter()
    answer = await work()
    return time.perf_counter() - started, answer


def _report(what: str, ours: list[float], bare: list[float], baseline: str, extra: str) -> None:
    ours_p50, bare_p50 = statistics.median(ours), statistics.median(bare)
    print(
        f"\n{what}, {_size():,} sanctions, medians of {ROUNDS} rounds: VendorWatch"
        f" {ours_p50 * 1000:.1f} ms; bare SQL ({baseline}) {bare_p50 * 1000:.1f} ms;"
        f" ratio {ours_p50 / bare_p50:.1f}x; {extra}"
    )


async def test_sanctions_active_on_a_day_and_screening_by_name_at_volume(
    pool: asyncpg.Pool, capsys: pytest.CaptureFixture[str]
) -> None:
    names = await _seed(pool, _size())

    async def active() -> dict[str, Any]:
        answer: dict[str, Any] = (await execute(pool, ACTIVE, day=DAY.isoformat()))["sanctions"]
        return answer

    async def bare_page() -> int:
        async with pool.acquire() as conn:
            await conn.fetch(BARE_PAGE, DAY)
            total: int = await conn.fetchval(BARE_COUNT, DAY)
        return total

    ours, bare, answers = [], [], []
    for _ in range(ROUNDS):
        seconds, answer = await _timed(active)
        ours.append(seconds)
        answers.append(answer)
        seconds, imposed = await _timed(bare_page)
        bare.append(seconds)
    assert all(a == answers[0] for a in answers)
    in_force = answers[0]["totalCount"]
    assert len(answers[0]["edges"]) == 20
    with capsys.disabled():
        _report(
            "sanctions(activeOn:, first: 20) with totalCount",
            ours,
            bare,
            "a page and count by the imposed periods' index",
            f"{in_force:,} in force that day, {imposed:,} by their imposed periods",
        )

    rng = random.Random(8)
    bidders = [Bidder(f"b{n}", name=rng.choice(names)) for n in range(BIDDERS)]
    index = LiveNameIndex()
    first, screened = await _timed(
        lambda: screen_bidders(pool, index, bidders, Day(DAY), THRESHOLDS)
    )
    ours, bare = [], []
    for _ in range(ROUNDS):
        seconds, again = await _timed(
            lambda: screen_bidders(pool, index, bidders, Day(DAY), THRESHOLDS)
        )
        ours.append(seconds)
        assert again == screened
        seconds, rows = await _timed(lambda: pool.fetch(BARE_SCREEN, DAY))
        bare.append(seconds)
    flagged = sum(a.status is Status.POSSIBLE_MATCH for a in screened)
    with capsys.disabled():
        _report(
            f"screenBidders, {BIDDERS} names",
            ours,
            bare,
            "the sanctions of the vendors whose imposed periods meet the day or later",
            f"{flagged} flagged, {len(rows):,} sanction rows in the bare read;"
            f" first request (name index built) {first:.2f} s",
        )
