"""What an import learns of a vendor another bank's list registered, through `vendorwatch
import` into the embedded log and the registry applying it, on a real PostgreSQL, with rows of
the banks' real files: a person the IDB names joining a World Bank vendor makes it a person
(not left of no kind, a LegalEntity in the export); a name the lists write with and without
accents joins as screening compares it; words on a debarment's reach written after an EBRD
person's name are not the person's name. A database imported before each change keeps its
vendors and sanctions when the lists are imported again."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from followthemoney import model

from services.cli import importing, publishing
from services.events.base import EventEnvelope
from services.events.vendor import VendorUpdated
from services.imports.entries import ListEntry
from services.imports.events import entry_events
from services.imports.lists import ebrd
from services.imports.planning import Recorded, planned_events
from services.imports.report import ImportReport
from services.imports.resolution import Known
from services.platform.settings import Settings
from services.registry.exports.exclusion_formats import exported
from services.registry.exports.exclusions import exclusions
from tests.support.in_process_api import execute
from tests.support.live_consumers import drain_registry

pytestmark = pytest.mark.postgres

LISTS = Path(__file__).parents[1] / "data" / "lists"
WB, IDB, EBRD = (
    "worldbank_debarred_firms_individuals.csv",
    "iadb_sanctioned_firms_individuals.csv",
    "ebrd_ineligible_entities.csv",
)
REPORT = """query ($id: ID!) { importReport(reportId: $id) { vendorsCreated sanctionsImposed
  sanctionsUnchanged legalNamesCorrected reviewCount review { line name candidateName } } }"""
SCREEN = """query ($name: String!) {
  screenBidders(bidders: [{ref: "b", name: $name}], asOf: "2024-06-01") {
    status candidates { vendorId score matchedName } } }"""


def _rows(tmp_path: Path, file: str, *lines: int) -> Path:
    """A file of the list's header and these lines of its real file (each a row of one line)."""
    text = (LISTS / file).read_text(encoding="utf-8-sig").split("\n")
    part = tmp_path / f"{len(list(tmp_path.iterdir()))}-{file}"
    part.write_text("\n".join([text[0], *(text[n - 1] for n in lines)]) + "\n", "utf-8")
    return part


async def _import(
    source: str, file: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> tuple[str, str]:
    """`vendorwatch import SOURCE FILE`, applied by the registry: what it printed (stdout,
    then stderr: the notes) and its report's id."""
    capsys.readouterr()
    with file.open("rb") as opened:
        await importing.run(source, opened, None, database_url, None, dry_run=False)
    await drain_registry(database_url, Settings(database_url=database_url))
    out, err = capsys.readouterr()
    [report_id] = [line.split()[2] for line in err.splitlines() if line.startswith("import report")]
    return out + err, report_id


async def _sent_as_before(database_url: str, events: list[EventEnvelope]) -> None:
    """What an import before this change sent, into the log and applied by the registry."""
    async with publishing.to_embedded(database_url) as send:
        await send([e.model_dump_json(exclude_none=True).encode() for e in events])
    await drain_registry(database_url, Settings(database_url=database_url))


async def _vendors(pool: asyncpg.Pool) -> dict[str, dict[str, Any]]:
    rows = await pool.fetch("SELECT vendor_id, legal_name, kind FROM registry_vendors")
    return {r["vendor_id"]: {"legal": r["legal_name"], "kind": r["kind"]} for r in rows}


async def _authorities(pool: asyncpg.Pool) -> dict[str, list[str]]:
    rows = await pool.fetch(
        "SELECT vendor_id, authority FROM registry_sanctions ORDER BY vendor_id, authority"
    )
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(row["vendor_id"], []).append(row["authority"])
    return found


async def _exported(pool: asyncpg.Pool, format_: str) -> str:
    day = dt.date(2024, 6, 1)
    return "".join([part async for part in exported(format_, exclusions(pool, day))])


async def test_a_person_the_idb_names_on_a_world_bank_vendor_is_exported_as_a_person(
    pool: asyncpg.Pool, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # CHRISTOPHER THIBEDEAU and FRANCISCO SÁNCHEZ MARTÍN, whom the World Bank's list does not
    # say are people, and the IDB's does ("Individual"): joined, they stayed of no kind, an
    # empty Classification and an FtM LegalEntity, had the World Bank's list come first.
    await _import("worldbank", _rows(tmp_path, WB, 567, 639), database_url, capsys)
    idb = _rows(tmp_path, IDB, 136, 269)
    out, _ = await _import("idb", idb, database_url, capsys)

    assert "0 vendors registered" in out and "2 by name and country" in out
    vendors = await _vendors(pool)
    assert {v["legal"]: v["kind"] for v in vendors.values()} == {
        "CHRISTOPHER THIBEDEAU": "individual",
        "FRANCISCO SÁNCHEZ MARTÍN": "individual",
    }
    rows = list(csv.DictReader(io.StringIO((await _exported(pool, "csv")).removeprefix("\ufeff"))))
    assert {r["Name"]: r["Classification"] for r in rows} == {
        "CHRISTOPHER THIBEDEAU": "Individual",
        "FRANCISCO SÁNCHEZ MARTÍN": "Individual",
    }
    lines = (await _exported(pool, "ftm")).splitlines()
    schemata = {model.get_proxy(json.loads(line)).schema.name for line in lines}
    assert schemata == {"Person", "Sanction"}
    # The same file again sends nothing: the kind is on record.
    again, _ = await _import("idb", idb, database_url, capsys)
    assert "events: 0 new" in again


async def test_a_database_joined_before_kinds_were_learnt_learns_them_on_the_next_import(
    pool: asyncpg.Pool, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await _import("worldbank", _rows(tmp_path, WB, 567), database_url, capsys)
    [wb_vendor] = await _vendors(pool)
    idb = _rows(tmp_path, IDB, 136)
    # The IDB's row as an import before this change sent it: joined, its kind dropped.
    known = (Known(wb_vendor, "CA", ("CHRISTOPHER THIBEDEAU",)),)
    with idb.open(encoding="utf-8") as stream:
        planned = list(
            planned_events("idb", stream, Recorded(known), dt.date(2026, 1, 5), ImportReport())
        )
    before = [p.event for p in planned if not _of_kind(p.event)]
    assert len(before) < len(planned)
    await _sent_as_before(database_url, before)
    assert (await _vendors(pool))[wb_vendor]["kind"] is None

    out, report_id = await _import("idb", idb, database_url, capsys)

    # Its debarment unchanged, on the same vendor, now known to be a person.
    report = (await execute(pool, REPORT, id=report_id))["importReport"]
    assert (report["sanctionsImposed"], report["sanctionsUnchanged"]) == (0, 1)
    assert (await _vendors(pool))[wb_vendor]["kind"] == "individual"
    assert "events: 1 new" in out


def _of_kind(event: EventEnvelope) -> bool:
    return isinstance(event.payload, VendorUpdated) and event.payload.kind is not None


async def test_names_written_with_and_without_accents_join_as_screening_compares_them(
    pool: asyncpg.Pool, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The World Bank's "MR. RENÉ SANDOVAL SOLIZ" (BO) and "HENRY EFRAIN ORELLANA LÓPEZ" (GT);
    # the EBRD's "Mr. Rene Sandoval Soliz" and the IDB's "Henry Efraín Orellana López" each
    # became a vendor of its own, with a "possible same as" line (95.5) for someone to merge.
    await _import("worldbank", _rows(tmp_path, WB, 1057, 838), database_url, capsys)
    registered = set(await _vendors(pool))
    idb_out, idb_report = await _import("idb", _rows(tmp_path, IDB, 545), database_url, capsys)
    ebrd_out, ebrd_report = await _import("ebrd", _rows(tmp_path, EBRD, 963), database_url, capsys)

    assert set(await _vendors(pool)) == registered
    for out, report_id in ((idb_out, idb_report), (ebrd_out, ebrd_report)):
        assert "1 by name and country" in out and "possible same as:" not in out
        report = (await execute(pool, REPORT, id=report_id))["importReport"]
        assert (report["vendorsCreated"], report["reviewCount"]) == (0, 0)
    authorities = await _authorities(pool)
    assert sorted(map(len, authorities.values())) == [2, 2]
    # Search keeps accents: the name the list wrote without them is an alias of the vendor.
    names = await pool.fetch(
        "SELECT name FROM registry_vendor_names WHERE kind = 'alias' ORDER BY name"
    )
    assert [n["name"] for n in names] == ["Henry Efraín Orellana López", "Mr. Rene Sandoval Soliz"]


async def test_an_entity_registered_apart_before_accents_joined_keeps_its_vendor(
    pool: asyncpg.Pool, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A database imported before: the EBRD's Rene Sandoval Soliz a vendor of its own. The
    # list imported again does not move its debarment nor register another vendor.
    await _import("worldbank", _rows(tmp_path, WB, 1057), database_url, capsys)
    file = _rows(tmp_path, EBRD, 963)
    with file.open(encoding="utf-8") as stream:
        [entry] = list(ebrd.entries(stream))
    assert isinstance(entry, ListEntry)
    apart = entry_events(entry, register=True)
    await _sent_as_before(database_url, list(apart.events))
    before = await _authorities(pool)

    out, report_id = await _import("ebrd", file, database_url, capsys)

    report = (await execute(pool, REPORT, id=report_id))["importReport"]
    assert (report["vendorsCreated"], report["sanctionsImposed"]) == (0, 0)
    assert report["sanctionsUnchanged"] == 1
    assert await _authorities(pool) == before and apart.vendor_id in before
    assert "events: 0 new" in out


async def test_an_ebrd_persons_reach_is_not_the_persons_name(
    pool: asyncpg.Pool, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # "Mr. Rabin Akhmedzhanovich Amraev and any entity controlled directly or indirectly by
    # Mr. Rabin Akhmedzhanovich Amraev, which was established (i.e. in existence) on or
    # before 31 December 2019" was the vendor's legal name, with no note.
    out, _ = await _import("ebrd", _rows(tmp_path, EBRD, 958), database_url, capsys)

    [vendor] = (await _vendors(pool)).values()
    assert vendor["legal"] == "Mr. Rabin Akhmedzhanovich Amraev"
    assert (
        "'Mr. Rabin Akhmedzhanovich Amraev' is debarred with words on its reach ('and any"
        " entity controlled directly or indirectly by Mr. Rabin Akhmedzhanovich Amraev, which"
        " was established (i.e. in existence) on or before 31 December 2019')"
    ) in out
    reason = await pool.fetchval("SELECT reason FROM registry_sanctions")
    assert reason.startswith("Fraudulent Practice (Asian Development Bank) (and any entity")
    screened = (await execute(pool, SCREEN, name="Rabin Akhmedzhanovich Amraev"))["screenBidders"]
    [candidate] = screened[0]["candidates"]
    assert candidate["matchedName"] == "Mr. Rabin Akhmedzhanovich Amraev"
    assert candidate["score"] >= 95


async def test_an_ebrd_person_registered_under_the_whole_cell_keeps_its_vendor(
    pool: asyncpg.Pool, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = _rows(tmp_path, EBRD, 958)
    with file.open(encoding="utf-8") as stream:
        [entry] = list(ebrd.entries(stream))
    assert isinstance(entry, ListEntry) and entry.written is not None
    # What an import before this change sent: the vendor named as the cell is written.
    whole = dataclasses.replace(entry, name=entry.written, reach=None)
    earlier = entry_events(whole, register=True)
    await _sent_as_before(database_url, list(earlier.events))

    _, report_id = await _import("ebrd", file, database_url, capsys)

    report = (await execute(pool, REPORT, id=report_id))["importReport"]
    assert (report["vendorsCreated"], report["sanctionsImposed"]) == (0, 0)
    assert (report["sanctionsUnchanged"], report["legalNamesCorrected"]) == (1, 1)
    vendors = await _vendors(pool)
    assert list(vendors) == [earlier.vendor_id]
    assert vendors[earlier.vendor_id]["legal"] == "Mr. Rabin Akhmedzhanovich Amraev"
