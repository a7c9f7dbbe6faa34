"""The Japanese lists imported into a running `vendorwatch up` with `vendorwatch import`,
through ingest like any producer's events: the example municipal 指名停止一覧 (its one row
with a wrong 法人番号 check digit refused), a firm screened by its 法人番号 inside and outside
its suspension and within and outside its 対象範囲, the same file again changing nothing, a
body's emptied list lifting its suspensions when named (`--body`); and METI's real list of
barred entities, every entry imposed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.processes import System, run_cli, wait_until
from tests.support.registry_db import wait_for_sanctions

pytestmark = pytest.mark.postgres

LISTS = Path(__file__).resolve().parents[1] / "data" / "lists"
EXAMPLE = LISTS / "jp_suspension_example.csv"
METI = LISTS / "jp_meti_russia_export_ban_entities_first75.csv"
BY_NUMBER = """query ($number: String!, $day: Date!, $category: String) {
  bidEligibility(identifier: {scheme: "corporate_number", value: $number}, asOf: $day,
                 category: $category) {
    eligible eligibleAgainOn reasons { authority kind startsOn endsOn } } }"""
REPORT = """query ($id: ID!) { importReport(reportId: $id) { wholeListOf sanctionsLifted } }"""
REFUSED = (
    "line 8: 法人番号: corporate number 8999901000001 fails its check digit"
    " (first digit should be 7)\n"
)


def _on(system: System, number: str, day: str, category: str | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = system.client.data(
        BY_NUMBER, number=number, day=day, category=category
    )["bidEligibility"]
    return answer


def test_the_japanese_lists_imported(embedded: System, database_url: str, tmp_path: Path) -> None:
    first = run_cli("import", "jp_suspension", str(EXAMPLE), "--database-url", database_url)
    assert first.returncode == 1  # a row was refused
    refused, reported = first.stderr.split("\n", 1)
    assert (refused + "\n", reported[: len("import report ")]) == (REFUSED, "import report ")
    assert first.stdout == (
        "jp_suspension: read 12 rows; refused 1; sanctions: 11 imposed, 0 amended, 0 lifted,"
        " 0 unchanged; 9 vendors registered\n"
        "events: 20 new, 0 taken before (the same import sent again)\n"
    )
    wait_for_sanctions(database_url, "jp_suspension:", 11)

    # 株式会社北浜建設: 令和6年4月1日から令和6年9月30日まで, 全部門, by 北浜市.
    barred = _on(embedded, "7999901000001", "2024-06-01")
    assert barred["eligible"] is False and barred["eligibleAgainOn"] == "2024-10-01"
    assert barred["reasons"] == [
        {
            "authority": "北浜市",
            "kind": "BID_SUSPENSION",
            "startsOn": "2024-04-01",
            "endsOn": "2024-09-30",
        }
    ]
    assert _on(embedded, "7999901000001", "2024-03-31")["eligible"] is True
    assert _on(embedded, "7999901000001", "2024-10-01")["eligible"] is True
    # Its earlier suspension (平成29年6月1日から平成29年8月31日まで), the same vendor.
    assert _on(embedded, "7999901000001", "2017-07-01")["eligible"] is False
    # 東和土木株式会社, written in full-width digits: 土木一式工事 only (令和５年１２月１５日から).
    assert _on(embedded, "6999901000002", "2024-01-10", "土木一式工事")["eligible"] is False
    assert _on(embedded, "6999901000002", "2024-01-10", "舗装工事")["eligible"] is True

    again = run_cli("import", "jp_suspension", str(EXAMPLE), "--database-url", database_url)
    assert again.stderr.startswith(REFUSED) and "import report " in again.stderr
    assert again.stdout == (
        "jp_suspension: read 12 rows; refused 1; sanctions: 0 imposed, 0 amended, 0 lifted,"
        " 11 unchanged; 0 vendors registered\n"
        "events: 0 new, 0 taken before (the same import sent again)\n"
    )

    # The water bureau's list, emptied: said to be its whole list, it speaks for the bureau's
    # suspensions and none of the city's. The bureau's one ended on 2025-01-31: over, it is
    # not lifted but counted as ended (lifting one in force: test_jp_lists.py).
    emptied = tmp_path / "water-bureau.csv"
    emptied.write_text(EXAMPLE.read_text(encoding="utf-8").splitlines()[0] + "\n", "utf-8")
    bureau = [
        line
        for line in EXAMPLE.read_text(encoding="utf-8").splitlines()
        if ",北浜市水道局," in line
    ]
    lifted = run_cli(
        "import",
        "jp_suspension",
        str(emptied),
        "--body",
        "北浜市水道局",
        "--database-url",
        database_url,
    )
    assert lifted.returncode == 0, lifted.stderr
    assert lifted.stdout.startswith(
        "jp_suspension: read 0 rows; refused 0; sanctions: 0 imposed, 0 amended,"
        " 0 lifted, 0 unchanged; 0 vendors registered\n"
        f"ended: {len(bureau)} sanction(s) no longer listed, already over (not lifted)\n"
    )
    # Its report says whose whole list the file was: why an empty file spoke for anything.
    report_id = lifted.stderr.split("import report ", 1)[1].split()[0]

    def bureau_report() -> dict[str, Any] | None:
        found: dict[str, Any] | None = embedded.client.data(REPORT, id=report_id)["importReport"]
        return found

    wait_until(lambda: bureau_report() is not None, "the report recorded")
    assert bureau_report() == {"wholeListOf": ["北浜市水道局"], "sanctionsLifted": 0}

    meti = run_cli("import", "jp_meti", str(METI), "--database-url", database_url)
    assert meti.returncode == 0, meti.stderr
    assert meti.stdout.startswith(
        "jp_meti: read 75 rows; refused 0; sanctions: 75 imposed, 0 amended, 0 lifted,"
        " 0 unchanged; 75 vendors registered\n"
    )
    wait_for_sanctions(database_url, "jp_meti:", 75)
