"""`vendorwatch import exclusions` and a sanction that bars again after a gap (pure): each bar
is a sanction of its own across exports (whether it covers affiliates told per bar), a gap
closed or opened again ahead amends, lifts and imposes again as the exporting registry bars,
and an export naming no first days keeps its later bar."""

from __future__ import annotations

import datetime as dt
import json

from services.events.sanction import SanctionKind
from services.imports.deltas import RecordedSanction
from services.registry.domain import sanction_timeline
from services.registry.domain.eligibility import Exposure, evaluate
from services.registry.domain.sanction_timeline import Change, SanctionTimeline
from services.registry.exports.exclusion_formats import json_lines
from services.registry.exports.exclusions import Exclusion, covering_affiliates
from tests.support.exclusion_exports import VENDOR, imported


def _exported_on(day: dt.date, *timelines: SanctionTimeline) -> str:
    """The JSON-lines export of VENDOR on `day`, as the registry writes it (its vendor's
    line even when it is barred only later)."""
    answer = evaluate(VENDOR.vendor_id, [Exposure(t) for t in timelines], day)
    return json_lines(Exclusion(VENDOR, answer))


def _amended_ahead(*changes: Change) -> SanctionTimeline:
    """s-1 of VENDOR, barring 2024-01-01 to 03-31, then as `changes` say."""
    return sanction_timeline.build(
        sanction_id="s-1",
        vendor_id=VENDOR.vendor_id,
        kind=SanctionKind.BID_SUSPENSION,
        authority="北浜市",
        decided_on=dt.date(2023, 12, 1),
        starts_on=dt.date(2024, 1, 1),
        imposed={"ends_on": dt.date(2024, 3, 31)},
        changes=changes,
    )


def _with_a_gap(
    resumes_on: dt.date = dt.date(2024, 5, 1), **resumed_with: object
) -> SanctionTimeline:
    """s-1 of VENDOR: barring 2024-01-01 to 03-31, and again (an extension dated then, with
    `resumed_with` besides) from `resumes_on` (no gap from 04-01) to 08-31."""
    return _amended_ahead(
        Change(resumes_on, False, {"ends_on": dt.date(2024, 8, 31), **resumed_with})
    )


def test_each_bar_of_a_sanction_after_a_gap_is_a_sanction_of_its_own_across_exports() -> None:
    # Barred to 2024-03-31, and again from 2024-05-01 (an extension dated then) to 08-31.
    # The later bar was in no export of a day of the first (an importing registry called the
    # vendor eligible from 05-01), and an export of a day in the gap, which left the vendor
    # out, lifted what the one before had imposed for good.
    gap = _with_a_gap()
    first, later = "exclusions:s-1", "exclusions:s-1:from-2024-05-01"
    recorded: dict[str, RecordedSanction] = {}
    march, april, may = dt.date(2024, 3, 1), dt.date(2024, 4, 15), dt.date(2024, 5, 15)
    assert imported(_exported_on(march, gap), march, recorded) == [
        ("imposed", first, "2024-01-01", "2024-03-31"),
        ("imposed", later, "2024-05-01", "2024-08-31"),
    ]
    # In the gap the vendor is exported with its later bar alone: nothing changes (the first
    # bar ended; lifted, it would stay lifted should a correction close the gap).
    gap_day = json.loads(_exported_on(april, gap))
    assert gap_day["reasons"] == [] and len(gap_day["upcoming"]) == 1
    assert imported(_exported_on(april, gap), april, recorded) == []
    assert imported(_exported_on(may, gap), may, recorded) == []
    assert not recorded[later].lifted
    # A registry importing only the export of a day of the later bar has that bar alone.
    assert imported(_exported_on(may, gap), may, {}) == [
        ("imposed", later, "2024-05-01", "2024-08-31")
    ]


def test_a_gap_closed_after_an_export_of_a_day_in_it_bars_on() -> None:
    # A correction recorded in the gap (from 04-01) joins the two bars into one, whose id is
    # the first bar's again: the gap's export had lifted that bar, ended, and a lifted
    # sanction listed again stays lifted, so the vendor was eligible from then on.
    recorded: dict[str, RecordedSanction] = {}
    march, april, later_in_april = dt.date(2024, 3, 1), dt.date(2024, 4, 15), dt.date(2024, 4, 20)
    imported(_exported_on(march, _with_a_gap()), march, recorded)
    imported(_exported_on(april, _with_a_gap()), april, recorded)
    closed = _with_a_gap(resumes_on=dt.date(2024, 4, 1))
    assert imported(_exported_on(later_in_april, closed), later_in_april, recorded) == [
        ("amended", "exclusions:s-1", "2024-04-20", "2024-08-31"),
        ("lifted", "exclusions:s-1:from-2024-05-01", "2024-04-20", None),
    ]
    assert not recorded["exclusions:s-1"].lifted


def test_an_export_naming_no_first_days_keeps_its_later_bar() -> None:
    # Exports of 2026-12-04 listed a sanction barring again after a gap in `reasons` and in
    # `upcoming`, with no `barsFrom`: the later bar was dropped as the same bar listed twice.
    line = json.loads(_exported_on(dt.date(2024, 3, 1), _with_a_gap()))
    for reason in (*line["reasons"], *line["upcoming"]):
        del reason["barsFrom"], reason["resumed"]
    assert imported(json.dumps(line) + "\n", dt.date(2024, 3, 1), {}) == [
        ("imposed", "exclusions:s-1", "2024-01-01", "2024-03-31"),
        ("imposed", "exclusions:s-1:from-2024-05-01", "2024-05-01", "2024-08-31"),
    ]


def test_whether_a_bar_covers_affiliates_is_told_per_bar() -> None:
    # Covering affiliates only from the bar after the gap: both bars were exported as
    # covering them, and an importing registry barred the affiliates in the first too.
    gap = _with_a_gap(covers_affiliates=True)
    answer = evaluate(VENDOR.vendor_id, [Exposure(gap)], dt.date(2024, 3, 1))
    covering = covering_affiliates(answer, {"s-1": gap})
    exported = json.loads(json_lines(Exclusion(VENDOR, answer, covering)))
    assert [r["coversAffiliates"] for r in exported["reasons"]] == [False]
    assert [r["coversAffiliates"] for r in exported["upcoming"]] == [True]


def test_a_bar_whose_gap_closes_and_opens_again_ahead_is_imposed_again() -> None:
    # Exported on 03-01 with a gap ahead (again from 05-01); a correction ahead closes it (one
    # bar to 08-31, the second id goes), another opens it again (the second id is back): the
    # import had lifted that bar for its absence, and a lifted sanction stays lifted, so the
    # vendor was eligible from 05-01 in the importing registry while barred in the exporting.
    extended = Change(dt.date(2024, 5, 1), False, {"ends_on": dt.date(2024, 8, 31)})
    closed = Change(dt.date(2024, 4, 1), False, {"ends_on": dt.date(2024, 8, 31)})
    reopened = Change(dt.date(2024, 4, 1), False, {"ends_on": dt.date(2024, 3, 31)})
    later = "exclusions:s-1:from-2024-05-01"
    recorded: dict[str, RecordedSanction] = {}
    day_1, day_2, day_3 = dt.date(2024, 3, 1), dt.date(2024, 3, 5), dt.date(2024, 3, 9)
    imported(_exported_on(day_1, _amended_ahead(extended)), day_1, recorded)
    assert imported(_exported_on(day_2, _amended_ahead(extended, closed)), day_2, recorded) == [
        ("amended", "exclusions:s-1", "2024-03-05", "2024-08-31"),
        ("lifted", later, "2024-03-05", None),
    ]
    back = _amended_ahead(extended, closed, reopened)
    assert imported(_exported_on(day_3, back), day_3, recorded) == [
        ("amended", "exclusions:s-1", "2024-03-09", "2024-03-31"),
        ("imposed", f"{later}:again-2", "2024-05-01", "2024-08-31"),
    ]
    # Listed again as it is, it changes nothing more.
    assert imported(_exported_on(day_3, back), day_3, recorded) == []
