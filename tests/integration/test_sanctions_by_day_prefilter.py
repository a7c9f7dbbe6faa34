"""The reads that ask which sanctions apply on a day read only those that may (an index on
their recorded periods, storage/sanctions_by_day.py), and answer as if they had read every
sanction: `sanctions(activeOn:)` (across vendors and per vendor, paged) against every
timeline filtered in Python, on every day where any of them changes and the day before;
`screenBidders` by name and `screening.screen` against the screen of every sanction row.

The sanctions are of every shape the timeline folds (amended to a longer, shorter or no
period, before or after a gap, before the start; lifted, then amended; a scope change only;
over, to come, indefinite, a month's end), written as rows: the pre-filter sees rows, and
rows can say what the event rules would refuse (an amendment dated before the start)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg
import pytest

from services.platform.postgres.database import Connection
from services.platform.settings import Settings
from services.registry.bidder_screening.matching import Thresholds
from services.registry.bidder_screening.model import Bidder, Status
from services.registry.bidder_screening.service import Day, screen_bidders
from services.registry.domain.affiliations import affiliates_by_vendor, periods_by_pair
from services.registry.domain.eligibility import Eligibility
from services.registry.domain.periods import ONE_DAY
from services.registry.domain.sanction_timeline import SanctionTimeline
from services.registry.name_search.name_index_feed import LiveNameIndex
from services.registry.reads import screening, single_check
from services.registry.storage import record_repository as records
from services.registry.storage import sanction_repository, sanctions_by_day, vendor_repository

pytestmark = pytest.mark.postgres

D = dt.date.fromisoformat
SETTINGS = Settings(database_url="unused")
THRESHOLDS = Thresholds(
    SETTINGS.screening_review_threshold, SETTINGS.screening_other_country_threshold
)
RECORDED = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
# A lift recorded later than a screening's knownAt.
KNOWN_AT = dt.datetime(2024, 8, 1, tzinfo=dt.UTC)
LATE = dt.datetime(2024, 9, 1, tzinfo=dt.UTC)
DAY = D("2024-07-15")  # the day the bound tests ask for

# Sanction id → (vendor, starts_on, imposed period, changes); a change is (effective_on,
# fields), fields {"lifted": True} for a lift. Periods as the row's columns.
SHAPES: dict[str, tuple[str, str, dict[str, Any], list[tuple[str, dict[str, Any]]]]] = {
    # A month's end: the civil code ends it 2025-01-30, PostgreSQL's months a day later.
    "a-month-end": ("v-a", "2024-01-31", {"duration_months": 12}, []),
    "b-days": ("v-b", "2024-06-01", {"duration_days": 100}, []),
    "c-ends-on": ("v-c", "2024-03-01", {"ends_on": "2024-12-31"}, []),
    "d-indefinite": ("v-d", "2024-05-01", {}, []),
    "e-to-come": ("v-e", "2025-03-01", {"duration_months": 6}, []),
    "f-over": ("v-f", "2020-01-01", {"ends_on": "2020-12-31"}, []),
    "g-after-a-gap": (
        "v-g",
        "2024-01-01",
        {"ends_on": "2024-03-31"},
        [("2024-06-01", {"duration_months": 12})],
    ),
    "h-extended": (
        "v-h",
        "2024-01-01",
        {"duration_days": 60},
        [("2024-02-01", {"ends_on": "2024-08-31"})],
    ),
    "i-shortened": (
        "v-i",
        "2024-01-01",
        {"duration_months": 24},
        [("2024-04-01", {"ends_on": "2024-05-31"})],
    ),
    "j-shortened-later": (
        "v-j",
        "2024-01-01",
        {"duration_months": 24},
        [("2024-09-01", {"ends_on": "2024-05-31"})],
    ),
    "k-to-indefinite": (
        "v-k",
        "2024-01-01",
        {"duration_months": 3},
        [("2024-06-01", {"indefinite": True})],
    ),
    "l-lifted": ("v-l", "2024-01-01", {}, [("2024-07-01", {"lifted": True})]),
    "m-lifted-then-amended": (
        "v-m",
        "2024-01-01",
        {"duration_months": 2},
        [("2024-03-01", {"lifted": True}), ("2024-05-01", {"duration_months": 24})],
    ),
    "n-amended-before-start": (
        "v-n",
        "2024-06-01",
        {"ends_on": "2024-06-30"},
        [("2024-01-01", {"ends_on": "2024-12-31"})],
    ),
    "o-scope-only": (
        "v-o",
        "2023-01-01",
        {"duration_months": 6},
        [("2024-01-01", {"agencies": ["税務課"]})],
    ),
    "p-never": ("v-p", "2024-05-01", {}, [("2024-04-01", {"lifted": True})]),
    "q-later-extension": (
        "v-q",
        "2023-01-01",
        {"ends_on": "2023-12-31"},
        [("2025-02-01", {"ends_on": "2025-12-31"})],
    ),
    "r-two-of-one-vendor": ("v-a", "2019-01-01", {"duration_days": 30}, []),
}  # fmt: skip
ALL_VENDORS = sorted({vendor for vendor, _, _, _ in SHAPES.values()})


async def _vendor(conn: Connection, vendor_id: str, name: str | None = None) -> None:
    name = name or f"{vendor_id} K.K."
    await conn.execute(
        "INSERT INTO registry_vendors (vendor_id, legal_name, event_id, recorded_at)"
        " VALUES ($1, $2, $3, $4)",
        vendor_id,
        name,
        uuid.uuid4(),
        RECORDED,  # on record before KNOWN_AT, as its sanctions
    )
    await conn.execute(
        "INSERT INTO registry_vendor_names (vendor_id, kind, name) VALUES ($1, 'legal', $2)",
        vendor_id,
        name,
    )


async def _sanction(
    conn: Connection,
    sanction_id: str,
    vendor_id: str,
    starts_on: str,
    period: dict[str, Any],
    *,
    kind: str = "debarment",
    covers_affiliates: bool = False,
) -> None:
    await conn.execute(
        """INSERT INTO registry_sanctions (sanction_id, vendor_id, kind, authority, decided_on,
               starts_on, duration_months, duration_days, ends_on, indefinite,
               covers_affiliates, grounds, serious, incident_ids, event_id, recorded_at)
           VALUES ($1, $2, $3, 'Authority', $4, $4, $5, $6, $7, $8, $9, '{fraud}', false, '{}',
                   $10, $11)""",
        sanction_id,
        vendor_id,
        kind,
        D(starts_on),
        period.get("duration_months"),
        period.get("duration_days"),
        D(period["ends_on"]) if "ends_on" in period else None,
        not period,
        covers_affiliates,
        uuid.uuid4(),
        RECORDED,
    )


async def _change(
    conn: Connection,
    sanction_id: str,
    effective_on: str,
    fields: dict[str, Any],
    recorded_at: dt.datetime = RECORDED,
) -> None:
    await conn.execute(
        """INSERT INTO registry_sanction_changes (sanction_id, lifted, effective_on,
               duration_months, duration_days, ends_on, indefinite, agencies, reason, event_id,
               recorded_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'changed', $9, $10)""",
        sanction_id,
        bool(fields.get("lifted")),
        D(effective_on),
        fields.get("duration_months"),
        fields.get("duration_days"),
        D(fields["ends_on"]) if "ends_on" in fields else None,
        fields.get("indefinite"),
        fields.get("agencies"),
        uuid.uuid4(),
        recorded_at,
    )


async def _affiliation(conn: Connection, vendor_id: str, parent: str, on: str) -> None:
    await conn.execute(
        """INSERT INTO registry_affiliation_changes (vendor_id, related_vendor_id, relation,
               change, effective_on, event_id, recorded_at)
           VALUES ($1, $2, 'parent', 'added', $3, $4, $5)""",
        vendor_id,
        parent,
        D(on),
        uuid.uuid4(),
        RECORDED,
    )


async def _seed_shapes(pool: asyncpg.Pool, names: dict[str, str] | None = None) -> None:
    async with pool.acquire() as conn:
        for vendor in ALL_VENDORS:
            await _vendor(conn, vendor, (names or {}).get(vendor))
        for sanction_id, (vendor, starts_on, period, changes) in SHAPES.items():
            await _sanction(conn, sanction_id, vendor, starts_on, period)
            for effective_on, fields in changes:
                await _change(conn, sanction_id, effective_on, fields)


async def _every_timeline(pool: asyncpg.Pool) -> list[SanctionTimeline]:
    async with pool.acquire() as conn:
        return await sanction_repository.timelines(conn, ALL_VENDORS, None)


def _days(timelines: Sequence[SanctionTimeline]) -> list[dt.date]:
    """Every day on which whether a sanction applies can change, and the day before."""
    days = {day for t in timelines for b in t.breakpoints[1:] for day in (b, b - ONE_DAY)}
    days |= {t.starts_on - ONE_DAY for t in timelines}
    return sorted(days | {D("2010-01-01"), D("2030-01-01")})


async def _paged(pool: asyncpg.Pool, day: dt.date, first: int) -> tuple[list[str], set[int | None]]:
    """Every page across vendors (`first` at a time, by the cursor): the ids, and the totals."""
    ids: list[str] = []
    totals: set[int | None] = set()
    after: str | None = None
    while True:
        async with pool.acquire() as conn:
            (page,) = (
                await records.sanctions(conn, None, first=first, after=after, active_on=day)
            ).values()
        ids += [s.sanction_id for s in page.records]
        totals.add(page.total)
        if not page.has_next:
            return ids, totals
        after = ids[-1]


async def test_sanctions_active_on_any_day_are_those_their_timelines_say(
    pool: asyncpg.Pool,
) -> None:
    await _seed_shapes(pool)
    timelines = await _every_timeline(pool)
    for day in _days(timelines):
        expected = sorted(t.sanction_id for t in timelines if t.in_force_on(day))
        for first in (2, 50):
            ids, totals = await _paged(pool, day, first)
            assert (ids, totals) == (expected, {len(expected)}), (day, first)
        async with pool.acquire() as conn:
            pages = await records.sanctions(conn, ALL_VENDORS, first=50, active_on=day)
        per_vendor = {v: [s.sanction_id for s in p.records] for v, p in pages.items()}
        assert per_vendor == {
            v: sorted(i for i in expected if SHAPES[i][0] == v) for v in ALL_VENDORS
        }, day
        # Each as it stands, with its scope that day: as the full timeline has it.
        listed = [s for p in pages.values() for s in p.records]
        by_id = {t.sanction_id: t for t in timelines}
        assert all(s == records.SanctionRecord.of(by_id[s.sanction_id], day) for s in listed)


async def test_sanctions_active_on_a_day_read_only_those_that_may_be_in_force(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The timelines built for a day are of the sanctions whose recorded periods meet it and
    that were not lifted by then: not those over, to come, lifted or only rescoped."""
    await _seed_shapes(pool)
    built: list[str] = []
    timeline_of = sanction_repository.timeline_of

    def spied(sanction: Any, changes: Any) -> SanctionTimeline:
        built.append(sanction["sanction_id"])
        return timeline_of(sanction, changes)

    monkeypatch.setattr(sanction_repository, "timeline_of", spied)
    ids, _ = await _paged(pool, DAY, 50)
    in_force = {"a-month-end", "b-days", "c-ends-on", "d-indefinite", "g-after-a-gap"}
    in_force |= {"h-extended", "j-shortened-later", "k-to-indefinite", "n-amended-before-start"}
    assert ids == sorted(in_force)
    # i-shortened is read (its imposed period meets the day); its timeline says it ended.
    assert set(built) == in_force | {"i-shortened"}


async def _screened_reading_everything(
    conn: Connection,
    vendor_ids: Sequence[str],
    known_at: dt.datetime | None,
    day: dt.date = DAY,
) -> dict[str, Eligibility]:
    """`screening.screen`'s answers on `day` from every sanction row of the vendors and their
    affiliates, read without the pre-filter: what the screens must answer."""
    periods = periods_by_pair(
        await vendor_repository.affiliation_events(conn, vendor_ids, known_at)
    )
    related = affiliates_by_vendor(vendor_ids, periods)
    everyone = sorted({*related, *(a for r in related.values() for a in r)})
    rows = await sanction_repository.sanction_rows(conn, everyone, known_at)
    return screening.judged(vendor_ids, related, rows, day, agency=None, category=None)


async def test_a_screen_and_a_single_check_on_any_day_answer_as_from_every_sanction(
    pool: asyncpg.Pool,
) -> None:
    """A screen (`screening.screen`) and `bidEligibility`'s single check read only the
    sanctions that may apply on the day asked or later: on every day where any shape changes
    and the day before, as known now and at KNOWN_AT, they answer as the judgement of every
    sanction row does, the day eligible again and the bars to come included."""
    await _seed_shapes(pool)
    async with pool.acquire() as conn:
        await _change(conn, "d-indefinite", "2024-06-01", {"lifted": True}, recorded_at=LATE)
    timelines = await _every_timeline(pool)
    for known_at in (None, KNOWN_AT):
        for day in _days(timelines):
            async with pool.acquire() as conn:
                expected = await _screened_reading_everything(conn, ALL_VENDORS, known_at, day)
                screened = await screening.screen(conn, ALL_VENDORS, day, known_at=known_at)
                assert screened == expected, (day, known_at)
                for vendor in ALL_VENDORS:
                    single = await single_check.eligibility(
                        conn, vendor, None, day, known_at=known_at
                    )
                    assert single == expected[vendor], (vendor, day, known_at)


async def test_screening_by_name_judges_only_who_may_be_barred_as_screen_judges_everyone(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Names screened on a day: each vendor's own name, candidates exactly the vendors
    `screen` finds barred that day or with a bar to come (as known at the time asked), with
    its answer; the
    sanctions read are those of the vendors that may be barred then or later and their
    affiliates."""
    extra = ["v-parent", "v-child", "v-future", "v-late-lift", "v-warned"]
    words = (
        "Amberline Quarry", "Borealis Shipping", "Cobaltfield Survey", "Driftwood Paving",
        "Emberstone Cement", "Foxglove Printing", "Glacier Hydraulics", "Hollyoak Catering",
        "Ironbark Logistics", "Juniper Acoustics", "Kestrel Demolition", "Lanternfish Optics",
        "Marigold Textiles", "Nightjar Security", "Oakmoss Plumbing", "Pinecrest Roofing",
        "Quillfeather Legal", "Rosewater Dairy", "Saltmarsh Dredging", "Thistledown Bakery",
        "Umberlight Studios", "Vervain Chemicals",
    )  # fmt: skip
    names = dict(zip([*ALL_VENDORS, *extra], words, strict=True))
    await _seed_shapes(pool, names)
    async with pool.acquire() as conn:
        for vendor in extra:
            await _vendor(conn, vendor, names[vendor])
        # The parent's debarment covers affiliates and bars its child that day; a firm the
        # child is affiliated with too is debarred from after the parent's ends: the child's
        # answer says so (upcoming, eligible again on), though that debarment is to come.
        await _sanction(
            conn, "parent-1", "v-parent", "2024-01-01", {"ends_on": "2024-12-31"},
            covers_affiliates=True,
        )  # fmt: skip
        await _affiliation(conn, "v-child", "v-parent", "2020-01-01")
        await _sanction(
            conn, "future-1", "v-future", "2025-01-01", {"ends_on": "2025-06-30"},
            covers_affiliates=True,
        )  # fmt: skip
        await _affiliation(conn, "v-child", "v-future", "2020-01-01")
        # Lifted before the day, but the lift recorded after knownAt: barred as known then.
        await _sanction(conn, "late-lift-1", "v-late-lift", "2024-01-01", {})
        await _change(conn, "late-lift-1", "2024-06-01", {"lifted": True}, recorded_at=LATE)
        await _sanction(conn, "warning-1", "v-warned", "2024-01-01", {}, kind="warning")
    everyone = sorted(names)
    read: list[str] = []
    rows_applying_from = sanctions_by_day.rows_applying_from

    async def spied(conn: Any, vendor_ids: Sequence[str], *args: Any, **kwargs: Any) -> Any:
        read.extend(vendor_ids)
        return await rows_applying_from(conn, vendor_ids, *args, **kwargs)

    index = LiveNameIndex()
    bidders = [Bidder(v, name=names[v]) for v in everyone]
    for known_at in (None, KNOWN_AT):
        async with pool.acquire() as conn:
            expected = await _screened_reading_everything(conn, everyone, known_at)
            # A screen reads only what may apply on its day or later (and answers alike).
            assert await screening.screen(conn, everyone, DAY, known_at=known_at) == expected
        barred = {v for v, e in expected.items() if not e.eligible}
        # A name may be a vendor barred that day or one a bar recorded to come will bar.
        to_be_barred = barred | {v for v, e in expected.items() if e.upcoming}
        assert "v-future" in to_be_barred - barred  # eligible that day, debarred from 2025
        monkeypatch.setattr(sanctions_by_day, "rows_applying_from", spied)
        read.clear()
        answers = await screen_bidders(
            pool, index, bidders, Day(DAY, known_at=known_at), THRESHOLDS
        )
        monkeypatch.undo()
        for answer in answers:
            found = {c.match.vendor_id: c.eligibility for c in answer.candidates}
            may_be = answer.ref in to_be_barred
            assert found == ({answer.ref: expected[answer.ref]} if may_be else {})
            assert answer.status is (Status.POSSIBLE_MATCH if found else Status.UNKNOWN)
        # Read: the vendors with a barring sanction that may bar that day or later, their
        # affiliates; not those whose sanctions are over, lifted by then, only warnings.
        assert "v-child" in barred and "v-parent" in barred
        assert ("v-late-lift" in barred) is (known_at is not None)
        assert expected["v-child"].eligible_again_on == D("2025-07-01")
        assert [r.sanction_id for r in expected["v-child"].upcoming] == ["future-1"]
        never_read = {"v-f", "v-l", "v-m", "v-o", "v-p", "v-warned"}
        never_read |= set() if known_at else {"v-late-lift"}
        assert "v-future" in read and not never_read & set(read), read
