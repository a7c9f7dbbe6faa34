"""The development banks' real debarment lists imported into a running `vendorwatch up` with
`vendorwatch import`, through ingest like any producer's events: every row accounted for,
eligibility as the lists say, each reason naming the bank; a firm on several banks' lists one
vendor with each bank's sanction; the same file again changes nothing, a newer one imposes,
amends and lifts exactly what changed."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from services.platform.security.auth import Role
from tests.support.processes import System, run_cli, wait_until
from tests.support.registry_db import wait_for_sanctions

pytestmark = pytest.mark.postgres

LISTS = Path(__file__).resolve().parents[1] / "data" / "lists"
SEARCH = "query ($text: String!) { vendors(search: $text, first: 3) { vendorId score } }"
ELIGIBILITY = """query ($vendor: ID!, $day: Date!) { bidEligibility(vendorId: $vendor, asOf: $day) {
  eligible eligibleAgainOn reasons { authority kind startsOn endsOn } } }"""

IMPORTS = """query ($first: Int!) { imports(first: $first) { totalCount edges { node {
  reportId source fileName fileSha256 compared rowsRead vendorsCreated sanctionsImposed
  sanctionsAmended sanctionsLifted sanctionsUnchanged namesAmended refusedCount } } } }"""
REPORT = """query ($id: ID!) { importReport(reportId: $id) {
  fileName sanctionsLifted refused { line } } }"""
CANDIDATES = """query ($id: ID!) { importReport(reportId: $id) { reviewCount review { line }
  candidates(first: 500) { totalCount edges { node { line } } } } }"""

WB_FILE = "worldbank_debarred_firms_individuals.csv"
IDB_FILE = "iadb_sanctioned_firms_individuals.csv"
# The IDB import's report after the World Bank's: its counts of vendors registered and matched.
IDB_REPORT = re.compile(
    r"idb: read 1081 rows; refused 0; sanctions: 1081 imposed, 0 amended, 0 lifted,"
    r" 0 unchanged; (\d+) vendors registered\n"
    r"vendors matched: (\d+) by identifier, (\d+) by name and country \(score 100\);"
    r" (\d+) possible same as for review\n"
)
TOKYO = ZoneInfo("Asia/Tokyo")  # the registry's time zone in the tests' systems
WORLD_BANK, IDB, EBRD = (
    "World Bank",
    "Inter-American Development Bank",
    "European Bank for Reconstruction and Development",
)


def _import(source: str, file: Path, database_url: str) -> str:
    result = run_cli("import", source, str(file), "--database-url", database_url)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _vendor(system: System, name: str) -> str:
    """The vendor a list's name became, once the registry has it (an exact name scores 100)."""

    def found() -> list[dict[str, Any]]:
        hits: list[dict[str, Any]] = system.client.data(SEARCH, text=name)["vendors"]
        return [h for h in hits if h["score"] == 100]

    wait_until(lambda: bool(found()), f"{name} in the registry", timeout=120)
    vendor_id: str = found()[0]["vendorId"]
    return vendor_id


def _on(system: System, vendor: str, day: str) -> dict[str, Any]:
    answer: dict[str, Any] = system.client.data(ELIGIBILITY, vendor=vendor, day=day)[
        "bidEligibility"
    ]
    return answer


def test_three_banks_lists_imported_as_the_lists_say(embedded: System, database_url: str) -> None:
    assert _import("worldbank", LISTS / WB_FILE, database_url) == (
        "worldbank: read 1285 rows; refused 0; sanctions: 1285 imposed, 0 amended, 0 lifted,"
        " 0 unchanged; 1285 vendors registered\n"
        "events: 2570 new, 0 taken before (the same import sent again)\n"
    )
    # Each list resolved against the registry holding the lists imported before it.
    wait_for_sanctions(database_url, "worldbank:", 1285)
    idb = _import("idb", LISTS / IDB_FILE, database_url)
    # Every row of the file (1081) imposed, each on a vendor registered for it or one the
    # World Bank's list registered (the lists share no identifiers: matched by name and
    # country); the possible matches, for review, are among the vendors registered.
    said = IDB_REPORT.match(idb)
    assert said is not None, idb
    registered, by_identifier, by_name, possible = (int(n) for n in said.groups())
    assert registered + by_identifier + by_name == 1081 and by_identifier == 0
    assert 0 < possible <= registered
    wait_for_sanctions(database_url, "idb:", 1081)
    # Its candidates: the report carries the first 100, a listing after it the rest; the API
    # all of them, as many as the report counted.
    idb_report = _reports(embedded, 2)[0]["reportId"]

    def candidates() -> dict[str, Any]:
        report: dict[str, Any] = embedded.client.data(CANDIDATES, id=idb_report)["importReport"]
        return report

    wait_until(lambda: candidates()["candidates"]["totalCount"] == possible, "every candidate", 60)
    listed = candidates()
    assert listed["reviewCount"] == possible and len(listed["review"]) == min(possible, 100)
    lines = [edge["node"]["line"] for edge in listed["candidates"]["edges"]]
    assert len(lines) == possible and lines[:100] == [c["line"] for c in listed["review"]]
    ebrd = _import("ebrd", LISTS / "ebrd_ineligible_entities.csv", database_url)
    assert ebrd.startswith(
        "ebrd: read 1322 rows; refused 0; sanctions: 1322 imposed, 0 amended, 0 lifted,"
        " 0 unchanged; 394 vendors registered\n"
        "vendors matched: 0 by identifier, 928 by name and country (score 100);"
    )
    # Ambiguous: two World Bank vendors of the name (two addresses), so no merge, for review.
    assert "'Silva Matos Const. E Cons. E Comercio Ltda' (vendor ebrd:" in ebrd, ebrd
    wait_for_sanctions(database_url, "ebrd:", 1322)
    # Firms on the three lists: one vendor each, barred by each bank (names as the World Bank
    # writes them; IDB's "Union Strong Group, Inc. ("USG")" and "Malik Nasir Hussain Tanoli").
    for firm in (
        "CNN CAUCASIA LLC",
        "NISHAN ENGINEERS UK LTD.",
        "UNION STRONG GROUP, INC.",
        "MR. MALIK NASIR HUSSAIN TANOLI",
    ):
        hits = embedded.client.data(SEARCH, text=firm)["vendors"]
        [vendor] = [h["vendorId"] for h in hits if h["score"] == 100]
        reasons = _on(embedded, vendor, "2025-06-01")["reasons"]
        assert sorted(r["authority"] for r in reasons) == sorted([WORLD_BANK, IDB, EBRD]), firm
    # The same file again: nothing new, whatever the lists resolved to.
    assert _import("idb", LISTS / IDB_FILE, database_url) == (
        "idb: read 1081 rows; refused 0; sanctions: 0 imposed, 0 amended, 0 lifted,"
        " 1081 unchanged; 0 vendors registered\n"
        "events: 0 new, 0 taken before (the same import sent again)\n"
    )

    # World Bank, 2024-12-10 to 2027-08-09.
    majidov = _vendor(embedded, "MR. RUFAT MAJIDOV")
    assert _on(embedded, majidov, "2024-12-09")["eligible"] is True
    barred = _on(embedded, majidov, "2025-06-01")
    assert barred["eligible"] is False and barred["eligibleAgainOn"] == "2027-08-10"
    assert barred["reasons"] == [
        {
            "authority": WORLD_BANK,
            "kind": "DEBARMENT",
            "startsOn": "2024-12-10",
            "endsOn": "2027-08-09",
        }
    ]
    assert _on(embedded, majidov, "2027-08-10")["eligible"] is True
    # World Bank, from 2024-07-08 until further notice (2999-12-31 on the list).
    hanoi = _vendor(
        embedded, "INTERNATIONAL REAL ESTATE CONSULTING AND INVESTMENT JOINT STOCK COMPANY"
    )
    forever = _on(embedded, hanoi, "2040-01-01")
    assert forever["eligible"] is False and forever["eligibleAgainOn"] is None
    assert forever["reasons"][0]["endsOn"] is None
    # IDB (cross-debarring for the AfDB), "Feb 17, 2022" to "Oct 18, 2024".
    weihai = _vendor(embedded, "1st Construction Branch of Weihai Construction Group Co. Ltd.")
    assert _on(embedded, weihai, "2023-01-01")["reasons"][0]["authority"] == IDB
    assert _on(embedded, weihai, "2024-10-19")["eligible"] is True
    # EBRD: no "Ineligible From" (the notice date, 2017-05-31, counts), "Ongoing".
    silva = _vendor(embedded, "Silva Matos Const. E Cons. E Comercio Ltda")
    ongoing = _on(embedded, silva, "2030-01-01")
    assert ongoing["eligible"] is False
    assert {r["authority"] for r in ongoing["reasons"]} == {EBRD}
    assert _on(embedded, silva, "2017-05-30")["eligible"] is True

    # What the registry now holds, exported for other systems (SAM.gov's columns).
    exported = run_cli(
        "export", "exclusions", "--as-of", "2025-06-01", "--database-url", database_url
    )
    assert exported.returncode == 0, exported.stderr
    # UTF-8 with a byte-order mark, for spreadsheets; a program strips it (`utf-8-sig`).
    assert exported.stdout.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(exported.stdout.removeprefix("\ufeff"))))
    majidov_row = next(r for r in rows if r["Vendor ID"] == majidov)
    assert majidov_row["Name"] == "MR. RUFAT MAJIDOV"
    # The World Bank's list does not say he is a person, so no Classification is claimed; the
    # IDB's says who its individuals are, and those it registered are classified so.
    assert majidov_row["Classification"] == ""
    by_idb = {r["Classification"] for r in rows if r["Vendor ID"].startswith("idb:")}
    assert by_idb == {"Firm", "Individual"}
    # And a World Bank vendor an IDB row joined is as the IDB says (it was left of no kind).
    thibedeau = next(r for r in rows if r["Name"] == "CHRISTOPHER THIBEDEAU")
    assert thibedeau["Classification"] == "Individual"
    assert (majidov_row["Excluding Agency"], majidov_row["Termination Date"]) == (
        WORLD_BANK,
        "2027-08-09",
    )
    assert {r["Excluding Agency"] for r in rows} == {WORLD_BANK, IDB, EBRD}


def test_a_newer_file_imposes_amends_and_lifts_what_changed(
    embedded: System, database_url: str, tmp_path: Path
) -> None:
    _import("worldbank", LISTS / WB_FILE, database_url)
    wait_for_sanctions(database_url, "worldbank:", 1285)
    again = _import("worldbank", LISTS / WB_FILE, database_url)
    assert again == (
        "worldbank: read 1285 rows; refused 0; sanctions: 0 imposed, 0 amended, 0 lifted,"
        " 1285 unchanged; 0 vendors registered\n"
        "events: 0 new, 0 taken before (the same import sent again)\n"
    )
    lines = (LISTS / WB_FILE).read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[1].startswith("MR. RUFAT MAJIDOV,") and lines[2].startswith("GRAND MOTORS LLC,")
    assert lines[3].startswith("CNN CAUCASIA LLC,*679,") and lines[4].startswith("GES PLAN SH")
    newer = tmp_path / "newer.csv"
    newer.write_text(
        lines[0]  # the header
        + lines[2].replace(",2027-08-09,", ",2028-01-31,")  # Grand Motors: a later last day
        + lines[3].replace(",*679,", ",(aka CNN GEORGIA) *679,")  # another name
        + lines[4].replace("GES PLAN SH.P.K.,", "GES PLAN GROUP SH.P.K.,")  # renamed
        + "".join(lines[5:])  # Majidov's row is gone
        + 'NEW EXAMPLE TRADING LLC,*999,"1 EXAMPLE STREET, BAKU",Azerbaijan,2026-11-02,2028-11-01,'
        "Fraudulent Practices\n",
        encoding="utf-8",
    )
    delta = _import("worldbank", newer, database_url)
    assert delta.startswith(
        "worldbank: read 1285 rows; refused 0; sanctions: 1 imposed, 1 amended, 1 lifted,"
        " 1283 unchanged; 1 vendors registered\n"
        "names amended: 2 vendors named otherwise by the list (1 renamed, 0 legal names"
        " corrected, the others given the names they lacked as aliases)\n"
    )
    today = dt.datetime.now(TOKYO).date()
    majidov, grand = (_vendor(embedded, n) for n in ("MR. RUFAT MAJIDOV", "GRAND MOTORS LLC"))
    wait_until(lambda: _on(embedded, majidov, str(today))["eligible"], "the lift applied", 60)
    assert _on(embedded, majidov, str(today - dt.timedelta(days=1)))["eligible"] is False
    assert _on(embedded, grand, "2027-09-01")["eligibleAgainOn"] == "2028-02-01"
    newcomer = _vendor(embedded, "NEW EXAMPLE TRADING LLC")
    assert _on(embedded, newcomer, "2027-01-01")["eligible"] is False
    # The renamed firm: the same vendor and debarment under its new name (the former one
    # still matches); the firm with another name: found by it.
    ges = _vendor(embedded, "GES PLAN GROUP SH.P.K.")
    assert ges == _vendor(embedded, "GES PLAN SH.P.K.")
    assert _on(embedded, ges, "2026-12-02")["reasons"][0]["authority"] == WORLD_BANK
    assert _vendor(embedded, "CNN GEORGIA") == _vendor(embedded, "CNN CAUCASIA LLC")

    # Each run reported through the API, newest first; the same file twice is two runs.
    reports = _reports(embedded, 3)
    assert [(r["fileName"], r["sanctionsImposed"], r["sanctionsUnchanged"]) for r in reports] == [
        ("newer.csv", 1, 1283),
        (WB_FILE, 0, 1285),
        (WB_FILE, 1285, 0),
    ]
    newest = reports[0]
    assert (newest["sanctionsAmended"], newest["sanctionsLifted"], newest["namesAmended"]) == (
        1,
        1,
        2,
    )
    assert newest["fileSha256"] == hashlib.sha256(newer.read_bytes()).hexdigest()
    # Sanction authorities and auditors read them; a procurement officer may not.
    authority = embedded.client.as_role(Role.SANCTION_AUTHORITY)
    assert authority.data(REPORT, id=newest["reportId"])["importReport"] == {
        "fileName": "newer.csv",
        "sanctionsLifted": 1,
        "refused": [],
    }
    officer = embedded.client.as_role(Role.PROCUREMENT_OFFICER).execute(IMPORTS, first=1)
    assert "may not use imports" in officer["errors"][0]["message"]


def _reports(system: System, count: int) -> list[dict[str, Any]]:
    """The newest `count` import reports, once the registry has recorded that many."""

    def page() -> dict[str, Any]:
        imports: dict[str, Any] = system.client.data(IMPORTS, first=count)["imports"]
        return imports

    wait_until(lambda: page()["totalCount"] >= count, f"{count} import reports", timeout=60)
    return [edge["node"] for edge in page()["edges"]]


@pytest.mark.kafka
def test_an_import_into_kafka_alone_is_reported(
    distributed: System, kafka_bootstrap: str, tmp_path: Path
) -> None:
    """Distributed mode, the importer reaching only Kafka: its report goes the same way, and
    says the file was not compared with the registry (every row imposed)."""
    lines = (LISTS / WB_FILE).read_text(encoding="utf-8").splitlines(keepends=True)
    first_rows = tmp_path / "first-rows.csv"
    first_rows.write_text("".join(lines[:4]), encoding="utf-8")
    result = run_cli("import", "worldbank", str(first_rows), "--kafka", kafka_bootstrap)
    assert result.returncode == 0, result.stderr
    assert "sent 6 events to Kafka; ingest records them" in result.stdout, result.stdout
    [report] = _reports(distributed, 1)
    assert {k: v for k, v in report.items() if k not in ("reportId", "fileSha256")} == {
        "source": "worldbank",
        "fileName": "first-rows.csv",
        "compared": False,
        "rowsRead": 3,
        "vendorsCreated": 3,
        "sanctionsImposed": 3,
        "sanctionsAmended": 0,
        "sanctionsLifted": 0,
        "sanctionsUnchanged": 0,
        "namesAmended": 0,
        "refusedCount": 0,
    }
    assert f"import report {report['reportId']}" in result.stderr, result.stderr


def test_a_dry_run_reads_every_row_and_sends_nothing(database_url: str) -> None:
    result = run_cli(
        "import",
        "ebrd",
        str(LISTS / "ebrd_ineligible_entities.csv"),
        "--dry-run",
        "--database-url",
        database_url,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "ebrd: read 1322 rows; refused 0; sanctions: 1322 imposed, 0 amended, 0 lifted,"
        " 0 unchanged; 1322 vendors registered\ndry run: nothing was sent\n"
    )
