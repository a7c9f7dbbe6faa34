"""A bank's list file that is not the list (empty, a header alone, another export's or a
renamed column) is refused whole before anything is sent: read as the list, it lifted every
debarment of it, or lifted and imposed each anew under other ids (pure)."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from services.imports.csv_rows import UnreadableFile
from services.imports.deltas import RecordedSanction
from services.imports.planning import Recorded, planned_events
from services.imports.report import ImportReport

TODAY = dt.date(2026, 12, 4)
HEADERS = {
    "worldbank": "Firm Name,Additional Firm Info,Address,Country,Ineligibility Period From Date,"
    "Ineligibility Period To Date,Grounds",
    "idb": "Title,Entity,Nationality,Country,From,To,Grounds,Source,IDB Sanction Type,"
    "IDB Sanction Source,Other Name",
    "ebrd": "\ufeffFirm Name,Address,Nationality,Ineligible From, Ineligible Until,"
    "Notice Effective At EBRD,Originating Institution,Prohibited Practice",
    "jp_meti": "list_title,designation_date,last_updated,entry_no,name_ja,name_en,address,"
    "source_pdf",
}
# Per list, a column its reader reads (a sanction's identity or its period).
READ = {
    "worldbank": "Grounds",
    "idb": "Nationality",
    "ebrd": "Ineligible Until",
    "jp_meti": "name_ja",
}
# A debarment an earlier import of each list recorded, in force.
RECORDED = Recorded(
    sanctions={"earlier": RecordedSanction("v-a", dt.date(2027, 8, 9), lifted=False)}
)


def _import(source: str, text: str) -> tuple[list[object], ImportReport, str]:
    """What the import sent before it was refused, its report, and why."""
    report = ImportReport()
    sent: list[object] = []
    with pytest.raises(UnreadableFile) as refused:
        for pending in planned_events(source, io.StringIO(text), RECORDED, TODAY, report):
            sent.append(pending)
    return sent, report, str(refused.value)


@pytest.mark.parametrize("source", sorted(HEADERS))
def test_an_empty_file_is_refused_and_lifts_nothing(source: str) -> None:
    sent, report, why = _import(source, "")
    assert sent == [] and report.lifted == 0
    assert "no header at all" in why


@pytest.mark.parametrize("source", sorted(HEADERS))
def test_a_header_without_a_row_is_refused_and_lifts_nothing(source: str) -> None:
    sent, report, why = _import(source, HEADERS[source] + "\n")
    assert sent == [] and report.lifted == 0
    assert "a header and no row" in why


@pytest.mark.parametrize("source", sorted(HEADERS))
def test_a_header_missing_a_column_it_reads_is_refused_naming_it(source: str) -> None:
    # A renamed header (Country → Country Name) moved every debarment to a new vendor.
    header = [c for c in HEADERS[source].split(",") if c.strip() != READ[source]]
    row = ",".join("x" for _ in header)
    sent, report, why = _import(source, ",".join(header) + "\n" + row + "\n")
    assert sent == [] and report.lifted == 0
    assert f"the header has no {READ[source]} column" in why


def test_an_export_without_a_vendor_lifts_only_when_the_import_is_told_it_may() -> None:
    # A failed `export exclusions > file` leaves an empty file, as an export of a registry
    # barring no one does: imported, it lifted every sanction of the earlier exports.
    for text in ("", "\n\n"):
        sent, report, why = _import("exclusions", text)
        assert sent == [] and report.lifted == 0
        assert why.startswith("the file lists no vendor") and "--allow-empty" in why
    report = ImportReport()
    told = planned_events(
        "exclusions", io.StringIO(""), RECORDED, TODAY, report, empty_allowed=True
    )
    assert [p.event.event_type for p in told] == ["sanction.lifted"]
    assert report.lifted == 1


# Per list, the columns its ids hold that its reader could read as empty: a vendor's address
# (two branches of one name and country are two firms), METI's title (its debarments'
# grounds). A file without one (another export, a column dropped) churned the whole list:
# every entry a new vendor, every debarment lifted and imposed anew.
IN_IDS = [
    ("worldbank", "Address"),
    ("ebrd", "Address"),
    ("jp_meti", "address"),
    ("jp_meti", "list_title"),
]


@pytest.mark.parametrize(("source", "column"), IN_IDS)
def test_a_header_missing_a_column_the_ids_hold_is_refused_naming_it(
    source: str, column: str
) -> None:
    header = [c for c in HEADERS[source].split(",") if c.strip() != column]
    row = ",".join("x" for _ in header)
    sent, report, why = _import(source, ",".join(header) + "\n" + row + "\n")
    assert sent == [] and report.lifted == 0
    assert f"the header has no {column} column" in why
