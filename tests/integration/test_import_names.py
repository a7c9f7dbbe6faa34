"""The names an import gives vendors, through `vendorwatch import` into the embedded log and
the registry applying it, on a real PostgreSQL: a name the list gives back renames the vendor
back; other names written inside a name cell ("…, FORMERLY KNOWN AS …", "A.K.A. …") are
aliases, not the legal name, and a vendor an earlier import registered under such a cell keeps
its id and has its legal name corrected; a row joined to another firm's vendor by its 法人番号
under another name is listed for review, and alerts no agency watching that vendor as a
"possible match": it was merged."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from services.alerts import setup as alerts_setup
from services.cli import importing, publishing
from services.events.alerts import watchlist_key
from services.imports import events
from services.imports.entries import ListEntry
from services.imports.lists import worldbank
from services.ingest.handlers import Rejected, ingest_batch
from services.platform.eventlog.embedded import drain
from services.platform.settings import Settings
from tests.support import case_b
from tests.support.event_examples import envelope
from tests.support.in_process_api import execute
from tests.support.live_consumers import drain_registry
from tests.support.worldbank_csv import HEADER

pytestmark = pytest.mark.postgres

LISTS = Path(__file__).parents[1] / "data" / "lists"
GRAND = 'GRAND MOTORS LLC,*678,"BINAGADI HIGHWAY, BAKU",Azerbaijan,2024-12-10,2027-08-09,Fraud\n'
# Two rows of the World Bank's list as published (worldbank_debarred_firms_individuals.csv,
# lines 1009 and 1191): other names written in the Firm Name cell.
ELMCREST = (
    '"ELMCREST GROUP LIMITED, FORMERLY KNOWN AS LANDMARC LIMITED",*234,'
    '"P.O. Box 17983, Nairobi",Kenya,2019-06-24,2025-12-23,Fraudulent Practices\n'
)
AKA = (
    "A.K.A. INDRALAL GUNATHILAKE,MR. G.I.P. GUNATHILAKE,Kandy,Sri Lanka,"
    "2022-03-31,2027-09-30,Fraudulent and Corrupt Practices\n"
)
# Line 532 of the same list: its name in Chinese in brackets in Additional Firm Info.
CAMC = (
    '"CHINA CAMC ENGINEERING CO., LTD.",(中工国际工程股份有限公司),"CEC PLAZA NO. 3, DANLING '
    'STREET, HAIDAN DISTRICT, BEIJING",China,2022-03-09,2026-10-26,Cross Debarment: ADB\n'
)
SEARCH = "query ($s: String!) { vendors(search: $s) { vendorId } }"
REPORT = """query ($id: ID!) { importReport(reportId: $id) { namesAmended vendorsRenamed
  legalNamesCorrected sanctionsImposed sanctionsUnchanged vendorsCreated reviewCount
  review { line name vendorId candidateName candidateVendorId why } } }"""


async def _import(
    source: str, file: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> tuple[str, str]:
    """`vendorwatch import SOURCE FILE`, applied by the registry: its stdout and the id of
    its report."""
    capsys.readouterr()
    with file.open("rb") as opened:
        await importing.run(source, opened, None, database_url, None, dry_run=False)
    await drain_registry(database_url, Settings(database_url=database_url))
    out, err = capsys.readouterr()
    [report_id] = [line.split()[2] for line in err.splitlines() if line.startswith("import report")]
    return out, report_id


async def _vendor(pool: asyncpg.Pool, vendor_id: str) -> dict[str, Any]:
    row = await pool.fetchrow(
        "SELECT legal_name FROM registry_vendors WHERE vendor_id = $1", vendor_id
    )
    assert row is not None, vendor_id
    names = await pool.fetch(
        "SELECT name, kind FROM registry_vendor_names WHERE vendor_id = $1 ORDER BY recorded",
        vendor_id,
    )
    return {"legal": row["legal_name"], "names": [(n["name"], n["kind"]) for n in names]}


async def _vendor_ids(pool: asyncpg.Pool) -> list[str]:
    return [r["vendor_id"] for r in await pool.fetch("SELECT vendor_id FROM registry_vendors")]


async def test_a_name_the_list_gives_back_renames_the_vendor_back(
    pool: asyncpg.Pool, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, renamed = tmp_path / "wb.csv", tmp_path / "wb_v2.csv"
    first.write_text(HEADER + GRAND, encoding="utf-8")
    renamed.write_text(HEADER + GRAND.replace("MOTORS LLC", "MOTORS HOLDING LLC"), "utf-8")
    await _import("worldbank", first, database_url, capsys)
    [vendor] = await _vendor_ids(pool)
    await _import("worldbank", renamed, database_url, capsys)
    assert (await _vendor(pool, vendor))["legal"] == "GRAND MOTORS HOLDING LLC"

    out, report_id = await _import("worldbank", first, database_url, capsys)

    # The list names the firm as before: so does the vendor, from the import's day.
    assert (await _vendor(pool, vendor))["legal"] == "GRAND MOTORS LLC"
    assert "names amended: 1 vendors named otherwise by the list (1 renamed," in out
    report = (await execute(pool, REPORT, id=report_id))["importReport"]
    assert (report["namesAmended"], report["vendorsRenamed"], report["sanctionsUnchanged"]) == (
        1,
        1,
        1,
    )
    dead = await pool.fetchval("SELECT count(*) FROM dead_letters")
    assert dead == 0
    # And the file once more changes nothing.
    again, _ = await _import("worldbank", first, database_url, capsys)
    assert "names amended" not in again


async def test_other_names_in_a_name_cell_are_aliases(
    pool: asyncpg.Pool, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "wb.csv"
    file.write_text(HEADER + ELMCREST + AKA, encoding="utf-8")
    await _import("worldbank", file, database_url, capsys)

    ids = sorted(await _vendor_ids(pool))
    assert [i.split("-")[0] for i in ids] == ["worldbank:elmcrest", "worldbank:indralal"]
    elmcrest, aka = [await _vendor(pool, i) for i in ids]
    assert elmcrest == {
        "legal": "ELMCREST GROUP LIMITED",
        "names": [("ELMCREST GROUP LIMITED", "legal"), ("LANDMARC LIMITED", "alias")],
    }
    assert aka["legal"] == "INDRALAL GUNATHILAKE"
    assert ("MR. G.I.P. GUNATHILAKE", "alias") in aka["names"]


async def test_a_name_in_another_script_in_brackets_is_found_and_added_on_reimport(
    pool: asyncpg.Pool, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "wb.csv"
    file.write_text(HEADER + CAMC, encoding="utf-8")
    # What an import sent before bracketed names in another script were read: the vendor
    # without its Chinese name.
    with file.open(encoding="utf-8") as opened:
        [entry] = list(worldbank.entries(opened))
    assert isinstance(entry, ListEntry)
    earlier = events.entry_events(dataclasses.replace(entry, aliases=()), register=True)
    async with publishing.to_embedded(database_url) as send:
        await send([e.model_dump_json(exclude_none=True).encode() for e in earlier.events])
    await drain_registry(database_url, Settings(database_url=database_url))
    found = await execute(pool, SEARCH, s="中工国际工程股份有限公司")
    assert found["vendors"] == []

    _, report_id = await _import("worldbank", file, database_url, capsys)

    # The same vendor and debarment: the name added to it by an update, nothing lifted or
    # imposed anew, and the vendor found by it.
    report = (await execute(pool, REPORT, id=report_id))["importReport"]
    assert (report["sanctionsImposed"], report["sanctionsUnchanged"]) == (0, 1)
    assert (report["vendorsCreated"], report["namesAmended"]) == (0, 1)
    assert await _vendor_ids(pool) == [earlier.vendor_id]
    vendor = await _vendor(pool, earlier.vendor_id)
    assert ("中工国际工程股份有限公司", "alias") in vendor["names"]
    found = await execute(pool, SEARCH, s="中工国际工程股份有限公司")
    assert found["vendors"] == [{"vendorId": earlier.vendor_id}]
    again, _ = await _import("worldbank", file, database_url, capsys)
    assert "names amended" not in again


async def test_a_vendor_registered_under_its_whole_name_cell_keeps_its_id(
    pool: asyncpg.Pool, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "wb.csv"
    file.write_text(HEADER + ELMCREST, encoding="utf-8")
    # What an import before other names were read out of the cell sent: the vendor and its
    # debarment under ids of the cell as written, which was its legal name.
    with file.open(encoding="utf-8") as opened:
        [entry] = list(worldbank.entries(opened))
    assert isinstance(entry, ListEntry)
    as_written = dataclasses.replace(entry, name=entry.written or "", aliases=())
    earlier = events.entry_events(as_written, register=True)
    async with publishing.to_embedded(database_url) as send:
        await send([e.model_dump_json(exclude_none=True).encode() for e in earlier.events])
    await drain_registry(database_url, Settings(database_url=database_url))
    assert await _vendor_ids(pool) == [earlier.vendor_id]

    out, report_id = await _import("worldbank", file, database_url, capsys)

    # The same vendor and debarment, nothing imposed anew; its legal name corrected, the cell
    # as written still matching as a former name.
    assert await _vendor_ids(pool) == [earlier.vendor_id]
    report = (await execute(pool, REPORT, id=report_id))["importReport"]
    assert (report["sanctionsImposed"], report["sanctionsUnchanged"]) == (0, 1)
    assert (report["vendorsCreated"], report["legalNamesCorrected"]) == (0, 1)
    assert "1 legal names corrected" in out
    vendor = await _vendor(pool, earlier.vendor_id)
    assert vendor["legal"] == "ELMCREST GROUP LIMITED"
    assert ("ELMCREST GROUP LIMITED, FORMERLY KNOWN AS LANDMARC LIMITED", "former") in vendor[
        "names"
    ]
    assert ("LANDMARC LIMITED", "alias") in vendor["names"]
    again, _ = await _import("worldbank", file, database_url, capsys)
    assert "names amended" not in again


async def test_a_corporate_number_of_another_firm_is_listed_for_review(
    pool: asyncpg.Pool, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Line 8's number corrected as the import's refusal suggests (its check digit): it is
    # then 株式会社北浜建設's number (line 2).
    text = (LISTS / "jp_suspension_example.csv").read_text(encoding="utf-8")
    fixed = tmp_path / "jp.csv"
    fixed.write_text(text.replace(",8999901000001,", ",7999901000001,"), encoding="utf-8")

    out, report_id = await _import("jp_suspension", fixed, database_url, capsys)

    vendor = "jp_suspension:cn-7999901000001"
    assert (
        f"possible same as: line 8 '株式会社さくら造園' (vendor {vendor}) ~ '株式会社北浜建設'"
        f" (vendor {vendor})"
    ) in out
    report = (await execute(pool, REPORT, id=report_id))["importReport"]
    assert report["reviewCount"] == 1
    [candidate] = report["review"]
    assert candidate["why"] == (
        "joined by its corporate_number 7999901000001, under another name: check the number"
    )


async def test_a_row_joined_by_its_number_under_another_name_alerts_no_possible_match(
    pool: asyncpg.Pool, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(database_url=database_url)
    alerts = alerts_setup.consumer(settings)
    # An agency watches two known firms: 株式会社北浜建設 with its 法人番号, and 東和土木株式会社
    # with no country.
    number = {"scheme": "corporate_number", "value": "7999901000001"}
    kitahama = {"legal_name": "株式会社北浜建設", "identifiers": [number], "country": "JP"}
    known = [
        envelope("vendor.registered", kitahama, "kitahama"),
        envelope("vendor.registered", {"legal_name": "東和土木株式会社"}, "towa"),
    ]
    watch = {"agency": "市民課", "name": "bidders", "vendor_ids": ["kitahama", "towa"]}
    saved = envelope("watchlist.saved", watch, watchlist_key("市民課", "bidders"))
    outcomes = await ingest_batch(pool, [case_b.line(e) for e in (*known, saved)])
    assert not [o for o in outcomes if isinstance(o, Rejected)]
    await drain_registry(database_url, settings)
    await drain(pool, alerts)
    # Line 8 written with 北浜建設's number (as in the test above).
    text = (LISTS / "jp_suspension_example.csv").read_text(encoding="utf-8")
    fixed = tmp_path / "jp.csv"
    fixed.write_text(text.replace(",8999901000001,", ",7999901000001,"), encoding="utf-8")

    _, report_id = await _import("jp_suspension", fixed, database_url, capsys)
    await drain(pool, alerts)

    # Both are for the importer to review ...
    report = (await execute(pool, REPORT, id=report_id))["importReport"]
    review = {(c["line"], c["vendorId"], c["candidateVendorId"]) for c in report["review"]}
    assert (8, "kitahama", "kitahama") in review
    assert [c["why"] for c in report["review"] if c["line"] == 8] == [
        "joined by its corporate_number 7999901000001, under another name: check the number"
    ]
    # ... but only the entry made a vendor apart from the watched one may be it: line 8's
    # debarment was imposed on 北浜建設 itself, which its watchers hear of as a bar.
    rows = await pool.fetch(
        """SELECT vendor_id, (possible_match ->> 'line')::int AS line FROM alerts
           WHERE change = 'possible_match'"""
    )
    assert [(r["vendor_id"], r["line"]) for r in rows] == [("towa", 3)]
