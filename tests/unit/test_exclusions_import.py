"""`vendorwatch import exclusions`: our own JSON-lines export read back as a list (pure): what
`exclusion_formats.json_lines` writes becomes the same vendor and sanctions, through the
importer's ordinary path (deltas, resolution, deterministic ids)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from typing import Any

import pytest

from services.events.sanction import SanctionAmended, SanctionImposed, SanctionKind, SanctionLifted
from services.events.vendor import VendorKind
from services.imports.csv_rows import UnreadableFile
from services.imports.deltas import RecordedSanction
from services.imports.entries import RowProblem
from services.imports.lists import exclusions
from services.imports.planning import Recorded, planned_events
from services.imports.report import ImportReport
from services.imports.resolution import Known
from services.registry.domain import sanction_timeline
from services.registry.domain.eligibility import Eligibility, Exposure, Reason, evaluate
from services.registry.domain.names import IdentifierKey
from services.registry.domain.sanction_timeline import Change, Decision, SanctionTimeline
from services.registry.exports.exclusion_formats import json_lines
from services.registry.exports.exclusions import Bar, Exclusion, bar_of, covering_affiliates
from services.registry.storage.vendor_repository import FormerName, VendorRow

DAY = dt.date(2024, 6, 1)
TODAY = dt.date(2026, 12, 1)
VENDOR = VendorRow(
    vendor_id="jp_suspension:cn-7999901000001",
    legal_name="株式会社北浜建設",
    name_kana="キタハマケンセツ",
    name_en="Kitahama Construction Co., Ltd.",
    country="JP",
    aliases=("北浜建設",),
    identifiers=(IdentifierKey("corporate_number", "7999901000001"),),
    former_names=(FormerName("北浜土建株式会社", dt.date(2019, 3, 31)),),
)
# As the registry that imported it holds it: its names (the former one an alias), its aliases.
VENDOR_NAMES = (
    "株式会社北浜建設",
    "キタハマケンセツ",
    "Kitahama Construction Co., Ltd.",
    "北浜建設",
    "北浜土建株式会社",
)
OWN = Reason(
    sanction_id="jp_suspension:0f1e2d3c4b5a6978",
    kind=SanctionKind.BID_SUSPENSION,
    authority="北浜市",
    starts_on=dt.date(2024, 4, 1),
    ends_on=dt.date(2024, 9, 30),
    via_vendor_id=None,
    agencies=("北浜市水道局",),
    categories=("土木一式工事", "舗装工事"),
    decision=Decision(grounds=("bribery",), reason="贈賄"),
)
VIA = Reason(
    sanction_id="city-2024-007",
    kind=SanctionKind.DEBARMENT,
    authority="City procurement",
    starts_on=dt.date(2024, 1, 1),
    ends_on=None,
    via_vendor_id="parent-1",
    agencies=None,
    categories=None,
    decision=Decision(grounds=("bid_rigging",)),
)
LATER = Reason(
    sanction_id="jp_suspension:aa11bb22cc33dd44",
    kind=SanctionKind.BID_SUSPENSION,
    authority="北浜市",
    starts_on=dt.date(2024, 10, 1),
    ends_on=dt.date(2025, 1, 31),
    via_vendor_id=None,
    agencies=None,
    categories=None,
    decision=Decision(grounds=("breach_of_contract",), reason="契約違反"),
)


def _exported(
    *reasons: Reason, upcoming: tuple[Reason, ...] = (), covering: frozenset[Bar] = frozenset()
) -> str:
    answer = Eligibility(VENDOR.vendor_id, DAY, False, reasons, dt.date(2024, 10, 1), upcoming)
    return json_lines(Exclusion(VENDOR, answer, covering))


def _payloads(text: str, recorded: Recorded | None = None) -> list[tuple[str, dict[str, Any]]]:
    report = ImportReport()
    pending = planned_events("exclusions", io.StringIO(text), recorded or Recorded(), TODAY, report)
    return [
        (p.event.event_type, json.loads(p.event.payload.model_dump_json(exclude_none=True)))
        for p in pending
    ]


def test_the_export_of_a_vendor_becomes_the_same_vendor_and_sanctions() -> None:
    events = _payloads(_exported(OWN, upcoming=(LATER,)))
    assert [t for t, _ in events] == ["vendor.registered", "sanction.imposed", "sanction.imposed"]
    assert events[0][1] == {
        "legal_name": "株式会社北浜建設",
        "name_kana": "キタハマケンセツ",
        "name_en": "Kitahama Construction Co., Ltd.",
        "identifiers": [{"scheme": "corporate_number", "value": "7999901000001"}],
        "aliases": ["北浜建設", "北浜土建株式会社"],  # the former name kept as an alias
        "country": "JP",
    }
    scoped = events[1][1].pop("sanction_id")  # the exported id, then a key of its scope
    assert scoped.startswith("exclusions:jp_suspension:0f1e2d3c4b5a6978.")
    assert events[1][1] == {
        "kind": "bid_suspension",
        "authority": "北浜市",
        "decided_on": "2024-04-01",
        "starts_on": "2024-04-01",
        "ends_on": "2024-09-30",
        "indefinite": False,
        "agencies": ["北浜市水道局"],
        "categories": ["土木一式工事", "舗装工事"],
        "covers_affiliates": False,
        "grounds": ["bribery"],
        "serious": False,
        "incident_ids": [],
        "reason": "贈賄",
        # The authority's period as recorded there: not refused by this registry's policy.
        "policy_override_reason": "as recorded by the exporting registry (its sanction"
        " jp_suspension:0f1e2d3c4b5a6978); not decided here",
    }
    # The sanction that bars it later (eligibleAgainOn counts it) is imposed too.
    # (every agency and category, no affiliates: the exported id alone)
    assert events[2][1]["sanction_id"] == "exclusions:jp_suspension:aa11bb22cc33dd44"
    assert events[2][1]["starts_on"] == "2024-10-01"
    assert events[2][1]["ends_on"] == "2025-01-31"


def test_an_individual_is_imported_as_an_individual() -> None:
    # The kind the exporting registry knows (the IDB's Entity column) goes with the vendor;
    # an export from before it, without `kind`, registers a vendor of no kind, as then.
    person = dataclasses.replace(
        VENDOR, legal_name="Abdulhamit Ademhan", kind=VendorKind.INDIVIDUAL
    )
    answer = Eligibility(VENDOR.vendor_id, DAY, False, (OWN,), dt.date(2024, 10, 1), ())
    text = json_lines(Exclusion(person, answer))
    assert json.loads(text)["kind"] == "individual"
    assert _payloads(text)[0][1]["kind"] == "individual"
    older = json.dumps({k: v for k, v in json.loads(text).items() if k != "kind"})
    assert "kind" not in _payloads(older)[0][1]


def _exported_on(day: dt.date, *timelines: SanctionTimeline) -> str:
    """The JSON-lines export of VENDOR on `day`, as the registry writes it (its vendor's
    line even when it is barred only later)."""
    answer = evaluate(VENDOR.vendor_id, [Exposure(t) for t in timelines], day)
    return json_lines(Exclusion(VENDOR, answer))


def _imported(
    text: str, day: dt.date, recorded: dict[str, RecordedSanction]
) -> list[tuple[str, str, str | None, str | None]]:
    """An import of `text` on `day` over `recorded` (updated as the registry would record
    it): each event's type, sanction id, first day (an imposition's) or effective day, and
    last day."""
    sent: list[tuple[str, str, str | None, str | None]] = []
    for pending in planned_events(
        "exclusions", io.StringIO(text), Recorded(sanctions=dict(recorded)), day, ImportReport()
    ):
        payload = pending.event.payload
        if not isinstance(payload, SanctionImposed | SanctionAmended | SanctionLifted):
            continue
        sid = payload.sanction_id
        if isinstance(payload, SanctionImposed):
            recorded[sid] = RecordedSanction("v", payload.ends_on, lifted=False)
            sent.append(("imposed", sid, str(payload.starts_on), str(payload.ends_on)))
        elif isinstance(payload, SanctionAmended):
            recorded[sid] = RecordedSanction("v", payload.ends_on, lifted=False)
            sent.append(("amended", sid, str(payload.effective_on), str(payload.ends_on)))
        else:  # the import's own lift, for the sanction's absence
            was = recorded[sid].last_day
            recorded[sid] = RecordedSanction("v", was, lifted=True, lifted_by_list=True)
            sent.append(("lifted", sid, str(payload.effective_on), None))
    return sent


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
    assert _imported(_exported_on(march, gap), march, recorded) == [
        ("imposed", first, "2024-01-01", "2024-03-31"),
        ("imposed", later, "2024-05-01", "2024-08-31"),
    ]
    # In the gap the vendor is exported with its later bar alone: nothing changes (the first
    # bar ended; lifted, it would stay lifted should a correction close the gap).
    gap_day = json.loads(_exported_on(april, gap))
    assert gap_day["reasons"] == [] and len(gap_day["upcoming"]) == 1
    assert _imported(_exported_on(april, gap), april, recorded) == []
    assert _imported(_exported_on(may, gap), may, recorded) == []
    assert not recorded[later].lifted
    # A registry importing only the export of a day of the later bar has that bar alone.
    assert _imported(_exported_on(may, gap), may, {}) == [
        ("imposed", later, "2024-05-01", "2024-08-31")
    ]


def test_a_gap_closed_after_an_export_of_a_day_in_it_bars_on() -> None:
    # A correction recorded in the gap (from 04-01) joins the two bars into one, whose id is
    # the first bar's again: the gap's export had lifted that bar, ended, and a lifted
    # sanction listed again stays lifted, so the vendor was eligible from then on.
    recorded: dict[str, RecordedSanction] = {}
    march, april, later_in_april = dt.date(2024, 3, 1), dt.date(2024, 4, 15), dt.date(2024, 4, 20)
    _imported(_exported_on(march, _with_a_gap()), march, recorded)
    _imported(_exported_on(april, _with_a_gap()), april, recorded)
    closed = _with_a_gap(resumes_on=dt.date(2024, 4, 1))
    assert _imported(_exported_on(later_in_april, closed), later_in_april, recorded) == [
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
    assert _imported(json.dumps(line) + "\n", dt.date(2024, 3, 1), {}) == [
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


def test_every_event_is_about_the_exported_vendor_with_ids_that_depend_on_what_it_says() -> None:
    text = _exported(OWN, upcoming=(LATER,))
    report = ImportReport()
    first = list(planned_events("exclusions", io.StringIO(text), Recorded(), TODAY, report))
    again = list(planned_events("exclusions", io.StringIO(text), Recorded(), TODAY, report))
    assert {p.event.vendor_id for p in first} == {"exclusions:jp_suspension:cn-7999901000001"}
    assert [p.event.event_id for p in first] == [p.event.event_id for p in again]
    assert [p.event.source for p in first] == ["import.exclusions"] * 3


def test_a_reason_through_an_affiliate_is_a_sanction_of_the_vendor_naming_the_affiliate() -> None:
    (_, _, (_, imposed)) = _payloads(_exported(OWN, VIA))
    assert imposed["sanction_id"].startswith("exclusions:")
    assert imposed["sanction_id"] != "exclusions:city-2024-007"
    assert imposed["indefinite"] is True and imposed["kind"] == "debarment"
    assert imposed["reason"] == "through its affiliate parent-1 (city-2024-007)"
    assert imposed["covers_affiliates"] is False  # the affiliate's sanction reaches no further
    assert imposed["grounds"] == ["bid_rigging"]


def test_the_same_export_again_changes_nothing_and_a_newer_one_amends_and_lifts() -> None:
    entries = list(exclusions.entries(io.StringIO(_exported(OWN, VIA))))
    assert not any(isinstance(e, RowProblem) for e in entries)
    vendor = "exclusions:jp_suspension:cn-7999901000001"
    recorded = Recorded(
        sanctions={
            exclusions.sanction_id(e): RecordedSanction(
                vendor, e.last_day, lifted=False, authority=e.authority
            )
            for e in entries
            if isinstance(e, exclusions.ExportedEntry)
        }
    )
    report = ImportReport()
    again = planned_events("exclusions", io.StringIO(_exported(OWN, VIA)), recorded, TODAY, report)
    assert list(again) == []
    assert (report.unchanged, report.imposed) == (2, 0)

    longer = Reason(**{**OWN.__dict__, "ends_on": dt.date(2024, 12, 31)})
    report = ImportReport()
    newer = list(
        planned_events("exclusions", io.StringIO(_exported(longer)), recorded, TODAY, report)
    )
    assert [p.event.event_type for p in newer] == ["sanction.amended", "sanction.lifted"]
    assert (report.amended, report.lifted) == (1, 1)
    assert all(p.event.vendor_id == vendor for p in newer)


def test_lines_that_are_not_an_exported_vendor_are_refused_with_their_line() -> None:
    good = _exported(OWN)
    no_reasons = json.dumps({**json.loads(good), "reasons": []})
    text = f"{good}\nnot json\n{no_reasons}\n"
    report = ImportReport()
    list(planned_events("exclusions", io.StringIO(text), Recorded(), TODAY, report))
    assert report.refused == [
        "line 3: not JSON: Expecting value at column 1",
        "line 4: event: reasons and upcoming are both empty: an exported vendor is barred",
    ]
    assert report.imposed == 1


def test_a_file_that_is_no_export_is_refused_whole() -> None:
    # A bank's CSV given as an export: each of its 1,286 lines was refused one by one and a
    # report of nothing else sent.
    text = "Firm Name,Additional Firm Info,Address,Country\nX LTD,,1 STREET,Chile\n"
    report = ImportReport()
    with pytest.raises(UnreadableFile, match=r"line 1: not JSON .* not an exclusions export"):
        list(planned_events("exclusions", io.StringIO(text), Recorded(), TODAY, report))
    assert report.refused == [] and report.imposed == 0


def test_an_id_too_long_for_the_catalog_is_hashed() -> None:
    long = VendorRow(**{**VENDOR.__dict__, "vendor_id": "v" * 125})
    answer = Eligibility(long.vendor_id, DAY, False, (OWN,), None, ())
    (entry,) = exclusions.entries(io.StringIO(json_lines(Exclusion(long, answer))))
    assert isinstance(entry, exclusions.ExportedEntry)
    assert len(exclusions.vendor_id(entry)) <= 128
    assert exclusions.vendor_id(entry).startswith("exclusions:")


def test_a_sanction_covering_affiliates_covers_them_in_the_importing_registry() -> None:
    text = _exported(OWN, VIA, covering=frozenset({bar_of(OWN), bar_of(VIA)}))
    assert [r["coversAffiliates"] for r in json.loads(text)["reasons"]] == [True, True]
    (_, own), (_, via) = _payloads(text)[1:]
    assert (own["covers_affiliates"], via["covers_affiliates"]) == (True, False)


def test_a_scope_changed_in_a_newer_export_is_lifted_and_imposed_anew() -> None:
    (entry,) = exclusions.entries(io.StringIO(_exported(OWN)))
    assert isinstance(entry, exclusions.ExportedEntry)
    vendor = exclusions.vendor_id(entry)
    recorded = Recorded(
        known=(Known(vendor, "JP", tuple(VENDOR_NAMES), VENDOR_NAMES[3:], VENDOR.identifiers),),
        sanctions={
            exclusions.sanction_id(entry): RecordedSanction(
                vendor, entry.last_day, False, authority=entry.authority
            )
        },
    )
    wider = Reason(**{**OWN.__dict__, "categories": None})
    report = ImportReport()
    during = dt.date(2024, 7, 1)  # OWN in force: one that ended is left as it ended
    newer = list(
        planned_events("exclusions", io.StringIO(_exported(wider)), recorded, during, report)
    )
    assert [p.event.event_type for p in newer] == ["sanction.imposed", "sanction.lifted"]
    assert (report.imposed, report.lifted, report.amended) == (1, 1, 0)
    assert {p.event.vendor_id for p in newer} == {vendor}


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
    _imported(_exported_on(day_1, _amended_ahead(extended)), day_1, recorded)
    assert _imported(_exported_on(day_2, _amended_ahead(extended, closed)), day_2, recorded) == [
        ("amended", "exclusions:s-1", "2024-03-05", "2024-08-31"),
        ("lifted", later, "2024-03-05", None),
    ]
    back = _amended_ahead(extended, closed, reopened)
    assert _imported(_exported_on(day_3, back), day_3, recorded) == [
        ("amended", "exclusions:s-1", "2024-03-09", "2024-03-31"),
        ("imposed", f"{later}:again-2", "2024-05-01", "2024-08-31"),
    ]
    # Listed again as it is, it changes nothing more.
    assert _imported(_exported_on(day_3, back), day_3, recorded) == []


def test_a_scope_narrowed_and_widened_back_is_imposed_again() -> None:
    # A scope of A, then A and B (another id: A's lifted), then A again (A's id is back).
    (entry,) = exclusions.entries(io.StringIO(_exported(OWN)))
    assert isinstance(entry, exclusions.ExportedEntry)
    first = exclusions.sanction_id(entry)
    wider = Reason(**{**OWN.__dict__, "categories": None})
    recorded: dict[str, RecordedSanction] = {}
    during = dt.date(2024, 7, 1)
    _imported(_exported(OWN), during, recorded)
    _imported(_exported(wider), during, recorded)
    assert recorded[first].lifted
    sent = _imported(_exported(OWN), during, recorded)
    assert [(kind, sid) for kind, sid, *_ in sent] == [
        ("imposed", exclusions.again(first, 2)),
        ("lifted", sent[1][1]),
    ]
    assert sent[1][1] != first and not recorded[exclusions.again(first, 2)].lifted


def test_a_bar_lifted_by_hand_stays_lifted_and_the_import_says_so() -> None:
    (entry,) = exclusions.entries(io.StringIO(_exported(OWN)))
    assert isinstance(entry, exclusions.ExportedEntry)
    sid, vendor = exclusions.sanction_id(entry), exclusions.vendor_id(entry)
    by_hand = RecordedSanction(vendor, entry.last_day, lifted=True, authority=entry.authority)
    report = ImportReport()
    recorded = Recorded(sanctions={sid: by_hand})
    during = dt.date(2024, 7, 1)
    assert (
        list(planned_events("exclusions", io.StringIO(_exported(OWN)), recorded, during, report))
        == []
    )
    assert any("stays lifted" in note for note in report.notes)


def test_a_generation_id_too_long_for_the_catalog_is_hashed() -> None:
    first = "exclusions:" + "x" * 117
    assert exclusions.again(first, 2).startswith("exclusions:")
    assert len(exclusions.again(first, 2)) <= 128 and exclusions.again(
        first, 3
    ) != exclusions.again(first, 2)


def test_a_bar_imposed_again_goes_on_the_vendor_its_first_was_recorded_on() -> None:
    # The first bar sits on a vendor the entity joined at its first import, one that no
    # longer answers to the entity's names or identifiers (renamed since): resolved afresh,
    # a new vendor was registered and barred, and the vendor itself left free to bid.
    (entry,) = exclusions.entries(io.StringIO(_exported(OWN)))
    assert isinstance(entry, exclusions.ExportedEntry)
    renamed = Known("hand:v1", "JP", ("北浜ホールディングス株式会社",), ())
    lifted = RecordedSanction(
        "hand:v1",
        entry.last_day,
        lifted=True,
        lifted_by_list=True,
        starts_on=entry.starts_on,
        authority=entry.authority,
    )
    recorded = Recorded(known=(renamed,), sanctions={exclusions.sanction_id(entry): lifted})
    sent = list(
        planned_events(
            "exclusions", io.StringIO(_exported(OWN)), recorded, dt.date(2024, 7, 1), ImportReport()
        )
    )
    imposed = [
        (p.event.vendor_id, p.event.payload.sanction_id)
        for p in sent
        if isinstance(p.event.payload, SanctionImposed)
    ]
    assert imposed == [("hand:v1", exclusions.again(exclusions.sanction_id(entry), 2))]
    assert "vendor.registered" not in {p.event.event_type for p in sent}
