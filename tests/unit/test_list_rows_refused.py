"""A row of a list's file that is refused, whatever refuses it (its shape, a date, the
catalog), names its line and lifts nothing: a row cut short or split by a comma read as the
list said "until further notice", and a row refused by the catalog was the lift of the firm's
real debarment (pure, `planning.planned_events` over small World Bank files; the rows are
the list's, cut as testers' broken downloads cut them)."""

from __future__ import annotations

import datetime as dt
import io

from services.imports.deltas import RecordedSanction
from services.imports.entries import ListEntry, stated_reason
from services.imports.events import sanction_id, vendor_id
from services.imports.lists import worldbank
from services.imports.planning import Recorded, planned_events
from services.imports.report import ImportReport
from services.imports.resolution import Known

TODAY = dt.date(2026, 1, 5)
HEADER = (
    "Firm Name,Additional Firm Info,Address,Country,Ineligibility Period From Date,"
    "Ineligibility Period To Date,Grounds\n"
)
RUFAT = (
    'MR. RUFAT MAJIDOV,*677,"BINAGADI HIGHWAY, MADAN STREET 4 AZ1053, BAKU",Azerbaijan,'
    "2024-12-10,2027-08-09,Obstructive Practices\n"
)
GRAND = (
    'GRAND MOTORS LLC,*678,"BINAGADI HIGHWAY, MADAN STREET 4 AZ1053, BAKU",Azerbaijan,'
    "2024-12-10,2027-08-09,Obstructive practices\n"
)


def _recorded(*rows: str) -> Recorded:
    """What an earlier import of `rows` recorded: their debarments, in force."""
    known, sanctions = [], {}
    for row in rows:
        [entry] = worldbank.entries(io.StringIO(HEADER + row))
        assert isinstance(entry, ListEntry)
        vendor = vendor_id(entry)
        known.append(Known(vendor, "AZ", (entry.name,)))
        sanctions[sanction_id(entry)] = RecordedSanction(
            vendor, entry.last_day, False, entry.starts_on, stated_reason(entry), entry.authority
        )
    return Recorded(tuple(known), sanctions)


def _import(text: str) -> tuple[list[str], ImportReport]:
    """The event types an import of `text` sends, against RUFAT's and GRAND's debarments."""
    report = ImportReport()
    planned = planned_events("worldbank", io.StringIO(text), _recorded(RUFAT, GRAND), TODAY, report)
    return [p.event.event_type for p in planned], report


def _lifts_withheld(report: ImportReport) -> None:
    assert (report.imposed, report.amended, report.lifted, report.withheld) == (0, 0, 0, 1)
    assert (report.withheld_line() or "").startswith("not lifted: 1 sanction(s)")


def test_the_same_file_whole_changes_nothing() -> None:
    sent, report = _import(HEADER + RUFAT + GRAND)
    assert sent == [] and (report.unchanged, report.refused, report.withheld) == (2, [], 0)


def test_a_row_cut_after_its_first_day_is_refused_not_made_open_ended() -> None:
    # It read as "until further notice" on grounds "unspecified": a new debarment with no
    # end, and GRAND's real one lifted.
    cut = GRAND[: GRAND.index(",2027")] + "\n"
    sent, report = _import(HEADER + RUFAT + cut)
    assert sent == []
    assert report.refused == [
        "line 3: row has 5 cells, the header 7: cut short"
        " (no Ineligibility Period To Date, Grounds)"
    ]
    _lifts_withheld(report)


def test_a_file_cut_inside_a_quoted_cell_refuses_its_last_row() -> None:
    # A broken download: the file ends inside GRAND's quoted address.
    sent, report = _import(HEADER + RUFAT + GRAND[: GRAND.index("MADAN")])
    assert sent == []
    assert report.refused == [
        "line 3: row has 3 cells, the header 7: cut short (no Country,"
        " Ineligibility Period From Date, Ineligibility Period To Date, Grounds)"
    ]
    _lifts_withheld(report)


def test_a_comma_not_in_quotes_is_refused_as_a_cell_too_many() -> None:
    # "NJS Co., Ltd." unquoted: every cell after it under the next column's name, the row was
    # blamed on its dates.
    split = GRAND.replace("GRAND MOTORS LLC", "NJS Co., Ltd.")
    sent, report = _import(HEADER + RUFAT + split)
    assert sent == []
    assert report.refused == [
        "line 3: row has 8 cells, the header 7: a comma not in quotes, or a cell too many"
    ]
    _lifts_withheld(report)


def test_a_nul_in_a_cell_is_refused_naming_its_column() -> None:
    damaged = GRAND.replace("Obstructive practices", "Obstructive\x00practices")
    sent, report = _import(HEADER + RUFAT + damaged)
    assert sent == []
    assert report.refused == ["line 3: Grounds: holds a NUL byte (the file is damaged)"]
    _lifts_withheld(report)


def test_a_row_the_catalog_refuses_lifts_nothing_either() -> None:
    # Read whole, but its events refused (here a name past the catalog's 300 characters, on
    # other grounds: a new debarment, not GRAND's renamed): what it lists is as unknown to
    # the registry as an unreadable row's, and GRAND's debarment was lifted.
    long = GRAND.replace("GRAND MOTORS LLC", "GRAND MOTORS " * 30 + "LLC")
    long = long.replace("Obstructive practices", "Fraud")
    sent, report = _import(HEADER + RUFAT + long)
    assert sent == []
    assert report.refused == ["line 3: legal_name: give at most 300 characters; it has 393"]
    _lifts_withheld(report)
    assert "1 row(s) were refused" in (report.withheld_line() or "")


def test_an_amendment_ending_before_it_began_is_refused_like_a_new_row() -> None:
    # Counted "1 amended", exit 0, and dead-lettered by the registry out of the import's sight.
    backwards = GRAND.replace("2027-08-09", "2023-08-09")
    sent, report = _import(HEADER + RUFAT + backwards)
    assert sent == []
    assert report.refused == [
        "line 3: ineligibility period: the last day 2023-08-09 is before the first 2024-12-10"
    ]
    assert (report.amended, report.lifted) == (0, 0)
    new_row = backwards.replace("GRAND MOTORS LLC", "GRAND MOTORS TWO LLC")
    _, report = _import(HEADER + RUFAT + GRAND + new_row)
    assert report.refused == [
        "line 4: ineligibility period: the last day 2023-08-09 is before the first 2024-12-10"
    ]


def test_an_empty_last_day_is_refused_not_read_as_until_further_notice() -> None:
    # GRAND's "2027-08-09" blanked: read as "until further notice", an amendment to no end
    # ("1 amended", exit 0), and the bidder barred for ever. The World Bank writes that as
    # 2999-12-31, never as an empty cell.
    blank = GRAND.replace(",2027-08-09,", ",,")
    sent, report = _import(HEADER + RUFAT + blank)
    assert sent == []
    assert report.refused == [
        "line 3: ineligibility period: the last day '' is not a date: Ineligibility Period To"
        ' Date is empty, and the list writes "until further notice" as 2999-12-31'
    ]
    _lifts_withheld(report)
    forever = GRAND.replace(",2027-08-09,", ",2999-12-31,")
    sent, report = _import(HEADER + RUFAT + forever)
    assert (sent, report.amended, report.refused) == (["sanction.amended"], 1, [])


def test_invisible_format_and_control_characters_refuse_the_row_naming_its_column() -> None:
    # Imported as written, they reached search, screening and every export, and an export's
    # rows carried them into other registries' imports ("GOOD\u202eKK" shown reversed).
    bidi = GRAND.replace("GRAND MOTORS LLC", "GOOD\u202eKK TRADING LTD.")
    bell = GRAND.replace("Obstructive practices", "Fraudulent\x07 practices")
    blank = GRAND.replace("GRAND MOTORS LLC", "\u200b\u200b")
    sent, report = _import(HEADER + RUFAT + GRAND + bidi + bell + blank)
    assert sent == []
    assert report.refused == [
        "line 4: Firm Name: must be text without invisible format characters;"
        " it has U+202E (RIGHT-TO-LEFT OVERRIDE)",
        "line 5: Grounds: must be text without control characters other than line breaks and"
        " tabs; it has U+0007",
        "line 6: Firm Name: empty",
    ]


def test_the_hints_of_where_a_word_may_break_are_taken_out() -> None:
    # A soft hyphen or a zero-width space shows nothing: the row reads as without it, and is
    # imported so rather than refused (its debarment lost).
    hinted = GRAND.replace("GRAND MOTORS LLC", "GRAND MO\u00adTORS\u200b L\u2060LC\ufeff")
    sent, report = _import(HEADER + RUFAT + hinted)
    assert (sent, report.refused, report.unchanged) == ([], [], 2)
