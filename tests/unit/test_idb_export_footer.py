"""The IDB site's export ends with a line naming the filters its table had ("Zastosowane
filtry: …", "Applied filters: …"): skipped as no row, and told, where it was refused as a
row that could not be read, so every import of the file as published withheld its lifts
(pure, `planning.planned_events`; the footer as a tester's export of the list has it)."""

from __future__ import annotations

import datetime as dt
import io

from services.imports.deltas import RecordedSanction
from services.imports.planning import Recorded, planned_events
from services.imports.report import ImportReport

TODAY = dt.date(2026, 1, 5)
HEADER = (
    "Title,Entity,Nationality,Country,From,To,Grounds,Source,IDB Sanction Type,"
    "IDB Sanction Source,Other Name\r\n"
)
ZIMO = (
    'Zimo Ltd.,Firm,Georgia,Armenia,"Mar 03, 2023","Nov 07, 2027", Fraud,ADB cross debarment,,,\r\n'
)
FOOTER = '"Zastosowane filtry: From Date jest dnia marca 23, 2007 lub później",,,,,,,,,,\n'
# A debarment the list no longer gives: the file, read whole, lifts it.
GONE = Recorded(
    sanctions={"idb:gone": RecordedSanction("idb:gone-ltd", dt.date(2027, 1, 1), False)}
)


def _import(text: str) -> tuple[list[str], ImportReport]:
    report = ImportReport()
    planned = planned_events("idb", io.StringIO(text), GONE, TODAY, report)
    return [p.event.event_type for p in planned], report


def test_the_exports_footer_is_skipped_and_told_and_the_file_lifts_what_it_no_longer_lists() -> (
    None
):
    sent, report = _import(HEADER + ZIMO + FOOTER)
    assert sent == ["vendor.registered", "sanction.imposed", "sanction.lifted"]
    assert (report.rows, report.refused, report.lifted, report.withheld) == (1, [], 1, 0)
    assert report.notes == [
        "line 3: the export's footer 'Zastosowane filtry: From Date jest dnia marca 23, 2007"
        " lub później', not a row: skipped"
    ]
    english = FOOTER.replace("Zastosowane filtry", "Applied filters")
    assert _import(HEADER + ZIMO + english)[1].refused == []


def test_a_footer_like_row_that_is_not_the_last_is_a_row() -> None:
    # Only the file's last line is its footer: one before a row is refused as a row.
    sent, report = _import(HEADER + FOOTER + ZIMO)
    assert sent == ["vendor.registered", "sanction.imposed"]
    assert report.refused == ["line 2: From/To: the first day '' is not a date"]
    assert (report.rows, report.lifted, report.withheld) == (2, 0, 1)


def test_a_last_row_with_more_than_its_first_cell_is_no_footer() -> None:
    told = FOOTER.replace(",,,,,,,,,,", ",,,,,,Fraud,,,,")
    _, report = _import(HEADER + ZIMO + told)
    assert report.refused == ["line 3: From/To: the first day '' is not a date"]
    assert report.notes == []
