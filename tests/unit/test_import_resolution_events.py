"""What an import sends once its entities are resolved (pure, `importing.planned_events` over
a small IDB file): a join imposes on the known vendor with no registration, adds the names it
lacks as aliases; an amendment and a lift go to the vendor the sanction was recorded on; the
file again sends nothing."""

from __future__ import annotations

import datetime as dt
import io

from services.events.base import EventEnvelope
from services.imports import idb
from services.imports.deltas import RecordedSanction
from services.imports.entries import ListEntry
from services.imports.events import sanction_id
from services.imports.planning import Recorded, planned_events
from services.imports.report import ImportReport
from services.imports.resolution import Known

HEADER = "Title,Entity,Nationality,Country,From,To,Grounds,Source,IDB Sanction Type,"
HEADER += "IDB Sanction Source,Other Name\n"
CNN = 'CNN Caucasia LLC,Firm,Georgia,Georgia,"Jan 02, 2025","Dec 09, 2026", Fraud,WBG,,,სიენენ\n'
GONE = 'Gone Ltd,Firm,Chile,Chile,"Jan 02, 2025","Dec 09, 2026", Fraud,IDB,,,\n'
WB_CNN = "worldbank:cnn-caucasia-llc-1"
KNOWN = (Known(WB_CNN, "GE", ("CNN CAUCASIA LLC",)),)
TODAY = dt.date(2026, 1, 5)


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
    ]
    assert events[1].payload.model_dump()["aliases"] == ["სიენენ"]
    assert (report.vendors, report.by_name, report.review) == (0, 1, [])


def test_amendments_and_lifts_go_to_the_vendor_recorded_and_the_same_file_sends_nothing() -> None:
    cnn, gone = _entry(CNN), _entry(GONE)
    recorded = {
        sanction_id(cnn): RecordedSanction(WB_CNN, dt.date(2026, 12, 9), lifted=False),
        sanction_id(gone): RecordedSanction("worldbank:gone-1", dt.date(2026, 12, 9), lifted=False),
    }
    assert _sent(HEADER + CNN + GONE, Recorded(KNOWN, recorded))[0] == []
    moved = CNN.replace("Dec 09, 2026", "Dec 31, 2027")
    events, report = _sent(HEADER + moved, Recorded(KNOWN, recorded))
    assert [(e.event_type, e.vendor_id) for e in events] == [
        ("sanction.amended", WB_CNN),
        ("sanction.lifted", "worldbank:gone-1"),
    ]
    assert (report.amended, report.lifted, report.vendors) == (1, 1, 0)
