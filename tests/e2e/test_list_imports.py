"""The development banks' real debarment lists imported into a running `vendorwatch up` with
`vendorwatch import`, through ingest like any producer's events: every row accounted for,
eligibility as the lists say, each reason naming the bank; the same file again changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import System
from tests.support.processes import run_cli, wait_until

pytestmark = pytest.mark.postgres

LISTS = Path(__file__).resolve().parents[1] / "data" / "lists"
SEARCH = "query ($text: String!) { vendors(search: $text, first: 3) { vendorId score } }"
ELIGIBILITY = """query ($vendor: ID!, $day: Date!) { bidEligibility(vendorId: $vendor, asOf: $day) {
  eligible eligibleAgainOn reasons { authority kind startsOn endsOn } } }"""

WORLD_BANK, IDB, EBRD = (
    "World Bank",
    "Inter-American Development Bank",
    "European Bank for Reconstruction and Development",
)


def _import(source: str, file: str, database_url: str) -> str:
    result = run_cli("import", source, str(LISTS / file), "--database-url", database_url)
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
    assert _import("worldbank", "worldbank_debarred_firms_individuals.csv", database_url) == (
        "worldbank: read 1285 rows: 1285 vendors, 1285 sanctions; refused 0\n"
        "events: 2570 new, 0 recorded before (by an earlier import of the same rows)\n"
    )
    idb = _import("idb", "iadb_sanctioned_firms_individuals.csv", database_url)
    assert idb.startswith("idb: read 1081 rows: 1081 vendors, 1081 sanctions; refused 0\n")
    ebrd = _import("ebrd", "ebrd_ineligible_entities.csv", database_url)
    assert ebrd.startswith("ebrd: read 1322 rows: 1322 vendors, 1322 sanctions; refused 0\n")

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

    again = _import("worldbank", "worldbank_debarred_firms_individuals.csv", database_url)
    assert again.endswith(
        "events: 0 new, 2570 recorded before (by an earlier import of the same rows)\n"
    )


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
        "ebrd: read 1322 rows: 1322 vendors, 1322 sanctions; refused 0\ndry run: nothing was sent\n"
    )
