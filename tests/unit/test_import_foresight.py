"""The foresight of what a file would lift (mass_lifts.py) reads each row under the ids it was
recorded under, as the import's planning does: a firm an earlier import recorded under its
whole name cell ("…, FORMERLY KNOWN AS …", before other names were read apart) is listed,
not lifted, and a file that lifts nothing is not refused for a mass lift (pure)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

from services.imports import mass_lifts
from services.imports.deltas import RecordedSanction
from services.imports.entries import ListEntry
from services.imports.events import sanction_id, vendor_id
from services.imports.lists import worldbank
from services.imports.planning import planned_events
from services.imports.report import ImportReport
from services.imports.resolution import Known
from services.imports.scratch import Scratch
from tests.support.worldbank_csv import HEADER

TODAY = dt.date(2026, 12, 5)
# Twelve firms with a former name in the cell (more than mass_lifts.FEW, all of the list).
ROWS = "".join(
    f'"FIRM {n} LIMITED, FORMERLY KNOWN AS OLD {n} LIMITED",,"{n} Main Road, Nairobi",'
    "Kenya,2024-12-10,2035-08-09,Fraud\n"
    for n in range(1, 13)
)


def _recorded_under_the_cell(entry: ListEntry) -> tuple[Known, tuple[str, RecordedSanction]]:
    """The firm's vendor and debarment as an import recorded them before other names were read
    out of the cell: under ids of the cell as written. The vendor's country is another
    list's (it joined by an identifier), so the row's terms name no recorded debarment and
    do not hold it as a rename (renames.py)."""
    legacy = dataclasses.replace(entry, ids_name=entry.written)
    vendor = vendor_id(legacy)
    sanction = RecordedSanction(
        vendor, entry.last_day, False, entry.starts_on, entry.grounds, entry.authority
    )
    return Known(vendor, "UG", (entry.written or "",)), (sanction_id(legacy), sanction)


def test_rows_recorded_under_their_whole_name_cell_are_foreseen_listed_as_planned() -> None:
    entries = [e for e in worldbank.entries(io.StringIO(HEADER + ROWS)) if type(e) is ListEntry]
    assert len(entries) == 12 and all(e.written != e.name for e in entries)
    known, sanctions = zip(*map(_recorded_under_the_cell, entries), strict=True)
    report = ImportReport()
    with Scratch() as scratch:
        scratch.load(known, sanctions)
        lifting = mass_lifts.foreseen(
            "worldbank", io.BytesIO((HEADER + ROWS).encode()), scratch.sanctions, TODAY
        )
        list(planned_events("worldbank", io.StringIO(HEADER + ROWS), scratch, TODAY, report))
    assert report.lifted == 0 and report.unchanged == 12
    assert lifting.lifts == report.lifted and not lifting.massive, lifting.said()
