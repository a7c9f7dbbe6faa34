"""What an import sends once its entities are resolved (pure, `importing.planned_events` over
a small IDB file): a join imposes on the known vendor with no registration, adds the names it
lacks as aliases and the kind (firm or person) it does not know; an amendment and a lift go
to the vendor the sanction was recorded on; the file again sends nothing."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from services.events.base import EventEnvelope
from services.events.sanction import SanctionLifted
from services.events.vendor import VendorKind, VendorUpdated
from services.imports.deltas import RecordedSanction
from services.imports.entries import ListEntry, stated_reason
from services.imports.events import sanction_id
from services.imports.events import vendor_id as wb_vendor_id
from services.imports.lists import idb, worldbank
from services.imports.planning import Recorded, planned_events
from services.imports.report import ImportReport
from services.imports.resolution import Known
from services.registry.domain.names import IdentifierKey

HEADER = "Title,Entity,Nationality,Country,From,To,Grounds,Source,IDB Sanction Type,"
HEADER += "IDB Sanction Source,Other Name\n"
CNN = 'CNN Caucasia LLC,Firm,Georgia,Georgia,"Jan 02, 2025","Dec 09, 2026", Fraud,WBG,,,სიენენ\n'
GONE = 'Gone Ltd,Firm,Chile,Chile,"Jan 02, 2025","Dec 09, 2026", Fraud,IDB,,,\n'
WB_CNN = "worldbank:cnn-caucasia-llc-1"
KNOWN = (Known(WB_CNN, "GE", ("CNN CAUCASIA LLC",)),)
# Once the IDB's entry joined it: with the IDB's other name as an alias, a firm as it says.
JOINED = (Known(WB_CNN, "GE", ("CNN CAUCASIA LLC", "სიენენ"), ("სიენენ",), kind=VendorKind.FIRM),)
TODAY = dt.date(2026, 1, 5)
LISTS = Path(__file__).resolve().parents[1] / "data" / "lists"


def _sent(text: str, recorded: Recorded) -> tuple[list[EventEnvelope], ImportReport]:
    report = ImportReport()
    planned = planned_events("idb", io.StringIO(text), recorded, TODAY, report)
    return [p.event for p in planned], report


def _entry(row: str) -> ListEntry:
    [entry] = idb.entries(io.StringIO(HEADER + row))
    assert isinstance(entry, ListEntry)
    return entry


def test_a_join_imposes_on_the_known_vendor_and_adds_its_other_names() -> None:
    events, report = _sent(HEADER + CNN, Recorded(KNOWN))
    assert [(e.event_type, e.vendor_id) for e in events] == [
        ("sanction.imposed", WB_CNN),
        ("vendor.updated", WB_CNN),
        ("vendor.updated", WB_CNN),
    ]
    assert events[1].payload.model_dump()["aliases"] == ["სიენენ"]
    # The World Bank's list did not say it is a firm; the IDB's does: it is recorded.
    assert events[2].payload.model_dump(exclude_none=True) == {"kind": "firm", "clear": []}
    assert (report.vendors, report.by_name, report.review, report.notes) == (0, 1, [], [])


def test_a_kind_learnt_once_is_not_sent_again_and_another_is_a_note_not_an_overwrite() -> None:
    # Both rows join the World Bank's CNN Caucasia; the second says it is an individual.
    person = CNN.replace("Firm", "Individual").replace("Jan 02, 2025", "Feb 03, 2025")
    events, report = _sent(HEADER + CNN + person, Recorded(KNOWN))
    kinds = [e.payload.kind for e in events if isinstance(e.payload, VendorUpdated)]
    assert [k for k in kinds if k is not None] == [VendorKind.FIRM]
    assert report.notes == [
        f"line 3: 'CNN Caucasia LLC' is an individual on the list, but its vendor {WB_CNN} is"
        " recorded as a firm: left as recorded; check which is right and correct it by hand"
        " (vendor.updated's kind)"
    ]
    # A vendor the registry holds as a person, joined by a row saying it is a firm: the same.
    held = (Known(WB_CNN, "GE", ("CNN CAUCASIA LLC",), kind=VendorKind.INDIVIDUAL),)
    events, report = _sent(HEADER + CNN, Recorded(held))
    assert not [e for e in events if isinstance(e.payload, VendorUpdated) and e.payload.kind]
    assert "is a firm on the list, but its vendor" in report.notes[0]
    # A row of no kind (Entity empty) leaves the vendor's unknown, and says nothing.
    events, report = _sent(HEADER + CNN.replace("Firm", ""), Recorded(KNOWN))
    assert not [e for e in events if isinstance(e.payload, VendorUpdated) and e.payload.kind]
    assert report.notes == []


def test_a_recorded_entry_gives_its_vendor_the_kind_it_lacks_once() -> None:
    # Joined before imports learnt kinds: the same file again records the kind, and then
    # sends nothing.
    cnn = _entry(CNN)
    was = RecordedSanction(WB_CNN, dt.date(2026, 12, 9), lifted=False, authority=idb.AUTHORITY)
    unknown = (Known(WB_CNN, "GE", ("CNN CAUCASIA LLC", "სიენენ"), ("სიენენ",)),)
    events, report = _sent(HEADER + CNN, Recorded(unknown, {sanction_id(cnn): was}))
    assert [(e.event_type, e.payload.model_dump(exclude_none=True)) for e in events] == [
        ("vendor.updated", {"kind": "firm", "clear": []})
    ]
    assert (report.unchanged, report.imposed) == (1, 0)
    assert _sent(HEADER + CNN, Recorded(JOINED, {sanction_id(cnn): was}))[0] == []


def test_amendments_and_lifts_go_to_the_vendor_recorded_and_the_same_file_sends_nothing() -> None:
    cnn, gone = _entry(CNN), _entry(GONE)
    recorded = {
        sanction_id(cnn): RecordedSanction(
            WB_CNN, dt.date(2026, 12, 9), lifted=False, authority=worldbank.AUTHORITY
        ),
        sanction_id(gone): RecordedSanction(
            "worldbank:gone-1", dt.date(2026, 12, 9), lifted=False, authority=worldbank.AUTHORITY
        ),
    }
    assert _sent(HEADER + CNN + GONE, Recorded(JOINED, recorded))[0] == []
    moved = CNN.replace("Dec 09, 2026", "Dec 31, 2027")
    events, report = _sent(HEADER + moved, Recorded(JOINED, recorded))
    assert [(e.event_type, e.vendor_id) for e in events] == [
        ("sanction.amended", WB_CNN),
        ("sanction.lifted", "worldbank:gone-1"),
    ]
    assert (report.amended, report.lifted, report.vendors) == (1, 1, 0)


def test_a_last_day_moved_back_is_amended_again_not_dropped_as_a_resend() -> None:
    # A, then B, then A again: the third import's amendment had the first's event id, so the
    # log took it for a resend and the firm stayed barred to B while the report said amended.
    cnn = _entry(CNN)
    moved = CNN.replace("Dec 09, 2026", "Dec 31, 2027")
    ids = []
    for text, last_day in ((moved, dt.date(2026, 12, 9)), (CNN, dt.date(2027, 12, 31))):
        recorded = {
            sanction_id(cnn): RecordedSanction(
                WB_CNN, last_day, lifted=False, authority=worldbank.AUTHORITY
            )
        }
        [amended], _ = _sent(HEADER + text, Recorded(JOINED, recorded))
        ids.append(amended.event_id)
    recorded = {
        sanction_id(cnn): RecordedSanction(
            WB_CNN, dt.date(2026, 12, 9), lifted=False, authority=worldbank.AUTHORITY
        )
    }
    report = ImportReport()
    later = dt.date(2026, 2, 1)
    [again] = [
        p.event
        for p in planned_events(
            "idb", io.StringIO(HEADER + moved), Recorded(JOINED, recorded), later, report
        )
    ]
    assert again.event_id not in ids and len(set(ids)) == 2


def test_a_third_move_on_one_day_is_an_amendment_of_its_own_and_a_resend_the_same() -> None:
    # A to B, back to A, to B again, on one day: the third had the first's event id (the
    # sanction, the day and the last day), and ingest dropped it as a resend. The sanction's
    # recorded changes tell them apart; the same state sent again is the same event.
    cnn = _entry(CNN)
    moved = CNN.replace("Dec 09, 2026", "Dec 31, 2027")

    def amendment_id(changes: int) -> object:
        recorded = {
            sanction_id(cnn): RecordedSanction(
                WB_CNN,
                dt.date(2026, 12, 9),
                lifted=False,
                authority=worldbank.AUTHORITY,
                changes=changes,
            )
        }
        [amended], _ = _sent(HEADER + moved, Recorded(JOINED, recorded))
        return amended.event_id

    assert amendment_id(0) != amendment_id(2)  # the first move, the third
    assert amendment_id(2) == amendment_id(2)  # the same import sent again


def test_a_debarment_lifted_by_hand_and_listed_again_is_told_to_whoever_imports() -> None:
    cnn = _entry(CNN)
    recorded = {
        sanction_id(cnn): RecordedSanction(
            WB_CNN, dt.date(2026, 12, 9), lifted=True, authority=worldbank.AUTHORITY
        )
    }
    events, report = _sent(HEADER + CNN, Recorded(JOINED, recorded))
    assert events == [] and report.unchanged == 1
    assert report.notes == [
        "1 row(s) list a debarment that was lifted by hand, which stays lifted (lines 2):"
        " if the list is right, impose it again by hand"
    ]


def test_a_debarment_whose_reach_the_list_words_is_told_to_whoever_imports() -> None:
    header = "Firm Name,Additional Firm Info,Address,Country,Ineligibility Period From Date,"
    header += "Ineligibility Period To Date,Grounds\n"
    row = "EGIS WATER AND MARITIME,(BUT ONLY FOR ITS WATER SECTOR),,France,2024-09-24,"
    row += "2027-01-02,Cross Debarment: IDB\n"
    report = ImportReport()
    text = io.StringIO(header + row)
    planned = planned_events("worldbank", text, Recorded((), {}), TODAY, report)
    imposed = [p.event.payload for p in planned][-1]
    assert imposed.event_type == "sanction.imposed"
    assert report.imposed == 1 and report.notes == [
        "line 2: 'EGIS WATER AND MARITIME' is debarred with words on its reach"
        " ('BUT ONLY FOR ITS WATER SECTOR') that no field of ours says as written: recorded"
        " as barring the firm everywhere, the words in its reason; amend its agencies,"
        " categories or affiliate coverage by hand to match"
    ]


def test_a_debarment_not_begun_is_lifted_from_its_first_day_not_before() -> None:
    # The registry refuses a change dated before the sanction's decision, which an import
    # takes to be its first day: lifted from the import's day, it stayed in force.
    begins = dt.date(2026, 3, 1)  # after TODAY
    recorded = {
        "idb:gone": RecordedSanction(
            "worldbank:gone-1", None, lifted=False, starts_on=begins, authority=idb.AUTHORITY
        )
    }
    events, _ = _sent(HEADER + CNN, Recorded(JOINED, recorded))
    [lift] = [e for e in events if e.event_type == "sanction.lifted"]
    assert isinstance(lift.payload, SanctionLifted) and lift.vendor_id == "worldbank:gone-1"
    assert lift.payload.effective_on == begins


def test_a_row_repeated_in_the_file_is_counted_once() -> None:
    # The report said 6 imposed where the registry held 5.
    events, report = _sent(HEADER + CNN + GONE + CNN, Recorded())
    imposed = [e for e in events if e.event_type == "sanction.imposed"]
    assert len(imposed) == 2 and (report.rows, report.imposed, report.unchanged) == (3, 2, 0)
    assert report.notes == [
        "1 row(s) repeat an earlier row's debarment (line 4 = line 2): counted once"
    ]


# --- names changing between files ------------------------------------------------------------

WB_HEADER = (
    "Firm Name,Additional Firm Info,Address,Country,Ineligibility Period From Date,"
    "Ineligibility Period To Date,Grounds\n"
)
GRAND = 'GRAND MOTORS LLC,*678,"MADAN STREET 4, BAKU",Azerbaijan,2024-12-10,2027-08-09,Fraud\n'


def _wb(text: str, recorded: Recorded) -> tuple[list[EventEnvelope], ImportReport]:
    report = ImportReport()
    planned = planned_events("worldbank", io.StringIO(text), recorded, TODAY, report)
    return [p.event for p in planned], report


def _recorded_as(row: str, *known: Known, reason: str | None = None) -> Recorded:
    """What the registry holds once `row` of the World Bank's list was imported (its
    sanction's reason as imports state it, or `reason`)."""
    [entry] = worldbank.entries(io.StringIO(WB_HEADER + row))
    assert isinstance(entry, ListEntry)
    vendor = wb_vendor_id(entry)
    stated = reason if reason is not None else stated_reason(entry)
    was = RecordedSanction(vendor, entry.last_day, False, entry.starts_on, stated, entry.authority)
    return Recorded(known or (Known(vendor, "AZ", (entry.name,)),), {sanction_id(entry): was})


def test_a_newer_file_naming_an_entry_otherwise_renames_its_vendor() -> None:
    recorded = _recorded_as(GRAND)
    [vendor] = [k.vendor_id for k in recorded.known]
    newer = GRAND.replace("GRAND MOTORS LLC", "GRAND MOTORS GROUP LLC")
    events, report = _wb(WB_HEADER + newer, recorded)
    # Not a lift and a new debarment: the same debarment, its vendor renamed from the day.
    assert [(e.event_type, e.vendor_id) for e in events] == [("vendor.renamed", vendor)]
    assert events[0].payload.model_dump() == {
        "new_legal_name": "GRAND MOTORS GROUP LLC",
        "new_name_kana": None,
        "new_name_en": None,
        "effective_on": TODAY,
    }
    assert (report.names_amended, report.unchanged, report.imposed, report.lifted) == (1, 1, 0, 0)
    # Once renamed, the same newer file changes nothing.
    renamed = Recorded((Known(vendor, "AZ", ("GRAND MOTORS GROUP LLC",)),), recorded.sanctions)
    events, report = _wb(WB_HEADER + newer, renamed)
    assert events == [] and (report.names_amended, report.unchanged) == (0, 1)


def test_an_entry_with_words_on_its_reach_renamed_is_still_its_recorded_debarment() -> None:
    # Recorded with the list's words in its reason, or with the bare grounds, as imports
    # recorded it before they kept the words: either way the same debarment, renamed.
    limited = GRAND.replace("*678", "(BUT ONLY FOR ITS WATER SECTOR)")
    newer = limited.replace("GRAND MOTORS LLC", "GRAND MOTORS GROUP LLC")
    for reason in (None, "Fraud"):
        recorded = _recorded_as(limited, reason=reason)
        events, report = _wb(WB_HEADER + newer, recorded)
        assert [e.event_type for e in events] == ["vendor.renamed"], reason
        assert (report.imposed, report.lifted) == (0, 0)


def test_with_a_row_that_could_not_be_read_nothing_is_renamed_nor_lifted() -> None:
    # The row that could not be read may be GRAND MOTORS LLC's, and the other entry of the
    # same first day and grounds another firm: barred on its own, not merged into GRAND's.
    recorded = _recorded_as(GRAND)
    newer = GRAND.replace("GRAND MOTORS LLC", "GRAND MOTORS GROUP LLC")
    broken = GRAND.replace("2027-08-09", "2027-08-0l")
    events, report = _wb(WB_HEADER + broken + newer, recorded)
    assert [e.event_type for e in events] == ["vendor.registered", "sanction.imposed"]
    assert (report.names_amended, report.imposed, report.lifted, report.withheld) == (0, 1, 0, 1)
    assert len(report.refused) == 1  # the row; the lifts withheld are said apart
    assert (report.withheld_line() or "").startswith("not lifted: 1 sanction(s) the list no")


def test_a_rename_on_record_is_its_debarment_whatever_row_could_not_be_read() -> None:
    # Renamed by an earlier import: a file with a row cut short still has the renamed row
    # unchanged (it registered a second vendor, barred again, and the next whole file lifted
    # the first vendor's debarment, the duplicate keeping the bar).
    recorded = _recorded_as(GRAND)
    [vendor] = [k.vendor_id for k in recorded.known]
    newer = GRAND.replace("GRAND MOTORS LLC", "GRAND MOTORS GROUP LLC")
    names = ("GRAND MOTORS GROUP LLC", "GRAND MOTORS LLC")  # its former name kept
    renamed = Recorded((Known(vendor, "AZ", names),), recorded.sanctions)
    cut = 'NEW FIRM LLC,*999,"POTI",Georgia,2024-12-10\n'
    events, report = _wb(WB_HEADER + newer + cut, renamed)
    assert events == []
    assert (report.unchanged, report.imposed, report.vendors, report.lifted) == (1, 0, 0, 0)
    assert (report.withheld, len(report.refused)) == (0, 1)
    # The next whole file lifts nothing either.
    events, report = _wb(WB_HEADER + newer, renamed)
    assert events == [] and (report.unchanged, report.lifted) == (1, 0)


def test_a_debarment_over_before_the_import_is_not_lifted_for_its_absence() -> None:
    # A list drops what ended: lifted, it read as a lift that changed nothing (recorded
    # after the last day, which the registry refuses from 2026-12-07), counted as lifted.
    [entry] = worldbank.entries(io.StringIO(WB_HEADER + GRAND))
    assert isinstance(entry, ListEntry)
    other = GRAND.replace("GRAND MOTORS LLC", "OTHER MOTORS LLC").replace(
        "2024-12-10", "2025-01-02"
    )
    for last_day, lifts, ended in ((TODAY - dt.timedelta(days=3), 0, 1), (TODAY, 1, 0)):
        was = RecordedSanction(wb_vendor_id(entry), last_day, False, entry.starts_on)
        events, report = _wb(WB_HEADER + other, Recorded((), {sanction_id(entry): was}))
        assert [e.event_type for e in events if e.vendor_id == was.vendor_id] == [
            "sanction.lifted"
        ] * lifts
        assert (report.lifted, report.ended, report.imposed) == (lifts, ended, 1)
    # Nor is it held back by a row that could not be read (no row may list it in force), nor
    # counted as no longer listed: that row may list it.
    ended_one = RecordedSanction(wb_vendor_id(entry), dt.date(2025, 12, 1), False, entry.starts_on)
    broken = other.replace("2027-08-09", "2027-08-0l")
    events, report = _wb(WB_HEADER + broken, Recorded((), {sanction_id(entry): ended_one}))
    assert events == [] and (report.withheld, report.ended) == (0, 0)


def test_a_newer_file_with_another_aka_adds_it_to_the_vendors_names() -> None:
    recorded = _recorded_as(GRAND)
    [vendor] = [k.vendor_id for k in recorded.known]
    newer = GRAND.replace("*678", "(aka GM BAKU) *678")
    events, report = _wb(WB_HEADER + newer, recorded)
    assert [(e.event_type, e.vendor_id) for e in events] == [("vendor.updated", vendor)]
    assert events[0].payload.model_dump()["aliases"] == ["GM BAKU"]
    assert (report.names_amended, report.unchanged) == (1, 1)


def test_a_renamed_entry_that_could_be_two_recorded_ones_is_not_merged() -> None:
    other = GRAND.replace("GRAND MOTORS LLC", "GRAND TRUCKS LLC")
    first, second = _recorded_as(GRAND), _recorded_as(other)
    both = Recorded((*first.known, *second.known), first.sanctions | second.sanctions)
    newer = GRAND.replace("GRAND MOTORS LLC", "GRAND VEHICLES LLC")
    events, report = _wb(WB_HEADER + newer, both)
    assert sorted(e.event_type for e in events) == [
        "sanction.imposed",
        "sanction.lifted",
        "sanction.lifted",
        "vendor.registered",
    ]
    assert (report.names_amended, report.imposed, report.lifted) == (0, 1, 2)


def test_a_vendor_joined_by_name_gains_the_entrys_identifier() -> None:
    lines = (LISTS / "jp_suspension_example.csv").read_text(encoding="utf-8").splitlines()
    assert lines[1].split(",")[2:5:2] == ["株式会社北浜建設", "7999901000001"]
    known = (Known("city:kitahama", "JP", ("株式会社北浜建設",)),)
    report = ImportReport()
    text = io.StringIO(f"{lines[0]}\n{lines[1]}\n")
    events = [
        p.event for p in planned_events("jp_suspension", text, Recorded(known), TODAY, report)
    ]
    assert [(e.event_type, e.vendor_id) for e in events] == [
        ("sanction.imposed", "city:kitahama"),
        ("vendor.updated", "city:kitahama"),
    ]
    assert events[1].payload.model_dump()["identifiers"] == [
        {"scheme": "corporate_number", "value": "7999901000001"}
    ]
    assert (report.by_name, report.identifiers_added, report.vendors) == (1, 1, 0)
    # Known with it (the registry applied it): joined by the identifier, nothing to add.
    with_it = (Known("city:kitahama", "JP", ("株式会社北浜建設",), (), _keys(events[1])),)
    report = ImportReport()
    text = io.StringIO(f"{lines[0]}\n{lines[1]}\n")
    again = [
        p.event for p in planned_events("jp_suspension", text, Recorded(with_it), TODAY, report)
    ]
    assert [e.event_type for e in again] == ["sanction.imposed"]
    assert (report.by_identifier, report.identifiers_added) == (1, 0)


def _keys(event: EventEnvelope) -> tuple[IdentifierKey, ...]:
    return tuple(
        IdentifierKey(ref["scheme"], ref["value"])
        for ref in event.payload.model_dump()["identifiers"]
    )
