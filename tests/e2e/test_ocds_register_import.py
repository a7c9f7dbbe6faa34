"""A real OCDS release package imported into a running `vendorwatch up` with `vendorwatch
import ocds`, through ingest like any producer's events: every party, award and contract
accounted for, a supplier then screened by its Armenian tax number with its contracts on
record, and the same file again changing nothing; a record package's contracts recorded and
terminated."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests.support.processes import System, run_cli, wait_until

pytestmark = pytest.mark.postgres

OCDS = Path(__file__).resolve().parents[1] / "data" / "ocds"
ARMENIA = OCDS / "ocds_armenia_armeps_release_package.json"
SCREEN = """query ($scheme: String!, $value: String!) {
  bidEligibility(identifier: {scheme: $scheme, value: $value}) { vendorId eligible } }"""
VENDOR = """query ($id: ID!) { vendor(vendorId: $id) {
  legalName country aliases identifiers { scheme value }
  contracts { totalCount edges { node { contractId agency title category awardedOn startsOn
    endsOn amount currency } } } } }"""
PI_SI_CONTRACT = "10d41979-9c4e-4e1a-930f-311167ae07f4"
IMPORTS = """{ imports(first: 5) { edges { node {
  source fileName rowsRead vendorsCreated sanctionsImposed eventsSent refusedCount } } } }"""
MEXICO_APF = OCDS / "ocds_mexico_apf_record_package.json"
VENDOR_ENDS = """query ($id: ID!) { vendor(vendorId: $id) {
  contracts { edges { node { contractId terminatedOn terminationReason } } } } }"""
REFUSED = [
    f"refused: {kind} releases[{n}].{kind}s[0] ({ocid}): {reason}"
    for n, ocid in (
        (12, "AM-PPS-fe3a8bb4c309998e121728fc3639282e"),
        (13, "AM-PPS-6d6e1d89795032494af23e00879c8979"),
    )
    for kind, reason in (
        (
            "contract",
            "period: ends_on: 2016-06-27 is before starts_on 2016-06-28;"
            " a term ends on or after the day it starts",
        ),
        ("award", "refused with contracts[0]"),
    )
]


def _recorded(database_url: str) -> tuple[int, int]:
    """The imported vendors and contracts the registry has applied."""

    async def count() -> tuple[int, int]:
        conn = await asyncpg.connect(database_url)
        try:
            vendors: int = await conn.fetchval(
                "SELECT count(*) FROM registry_vendors WHERE starts_with(vendor_id, 'ocds:')"
            )
            contracts: int = await conn.fetchval(
                "SELECT count(*) FROM registry_contracts WHERE starts_with(contract_id, 'ocds:')"
            )
            return vendors, contracts
        finally:
            await conn.close()

    return asyncio.run(count())


def _imported_events(database_url: str) -> int:
    """The events of OCDS imports in the event store (appended by the importer itself)."""

    async def count() -> int:
        conn = await asyncpg.connect(database_url)
        try:
            found: int = await conn.fetchval(
                "SELECT count(*) FROM event_store WHERE envelope->>'source' = 'import.ocds'"
            )
            return found
        finally:
            await conn.close()

    return asyncio.run(count())


def _import(database_url: str) -> tuple[str, list[str]]:
    result = run_cli("import", "ocds", str(ARMENIA), "--database-url", database_url)
    assert result.returncode == 1, result.stderr  # the two refused contracts
    report, *noted = result.stderr.splitlines()
    assert report.startswith("import report "), result.stderr  # its id, for importReport
    return result.stdout, sorted(noted)


def test_an_armenian_package_imported_and_a_supplier_screened_by_its_tax_number(
    embedded: System, database_url: str, tmp_path: Path
) -> None:
    # Cut in the middle: refused saying where, and nothing sent, not even the releases read
    # whole before the break.
    truncated = tmp_path / ARMENIA.name
    raw = ARMENIA.read_bytes()
    cut = len(raw) // 2
    truncated.write_bytes(raw[:cut])
    broken = run_cli("import", "ocds", str(truncated), "--database-url", database_url)
    assert broken.returncode == 1, broken.stderr
    assert f"the file ends at byte {cut:,} (truncated), in releases[" in broken.stderr
    assert "read whole before it); nothing was sent" in broken.stderr
    assert _imported_events(database_url) == 0

    stdout, stderr = _import(database_url)
    assert stdout == (
        "ocds: read 19 processes; parties: 26 applied, 0 unchanged, 19 not imported, 0 refused;"
        " awards: 19 applied, 0 unchanged, 0 not imported, 2 refused;"
        " contracts: 19 applied, 0 unchanged, 0 not imported, 2 refused\n"
        "vendors: 25 registered, 0 already known;"
        " contract records: 19 awarded, 0 amended, 0 terminated\n"
        "events: 44 new, 0 taken before (the same import sent again)\n"
    )
    assert stderr == sorted(REFUSED)
    wait_until(lambda: _recorded(database_url) == (25, 19), "the import applied", timeout=60)
    # Reported as a list's import is: a process a row, every refusal listed.
    wait_until(lambda: embedded.client.data(IMPORTS)["imports"]["edges"], "its report", 60)
    reports = embedded.client.data(IMPORTS)["imports"]["edges"]
    assert [edge["node"] for edge in reports] == [
        {
            "source": "ocds",
            "fileName": ARMENIA.name,
            "rowsRead": 19,
            "vendorsCreated": 25,
            "sanctionsImposed": 0,
            "eventsSent": 44,
            "refusedCount": 4,
        }
    ]

    screened = embedded.client.data(SCREEN, scheme="am_tin", value="01849148")["bidEligibility"]
    assert screened == {"vendorId": "ocds:am-tin:01849148", "eligible": True}
    vendor: dict[str, Any] = embedded.client.data(VENDOR, id=screened["vendorId"])["vendor"]
    assert (vendor["legalName"], vendor["country"]) == ("PI-SI ELEKTRVoNIKS SPY", "AM")
    assert set(vendor["aliases"]) == {"ՓԻ-ՍԻ ԷԼԵԿՏՐՈՆԻԿՍ ՍՊԸ", "ПИ-СИ ЭЛЕКТРВоНИКС СПЫ"}
    assert {"scheme": "am_tin", "value": "01849148"} in vendor["identifiers"]
    assert vendor["contracts"]["totalCount"] == 1
    assert vendor["contracts"]["edges"][0]["node"] == {
        "contractId": f"ocds:AM-PPS-fd7b426a70b9d7ea26a27f21a8eea687:{PI_SI_CONTRACT}",
        "agency": "Ministry of Finance of the RA",
        "title": "ՀՀ ՖՆ ՇՀԱՊՁԲ-15/8-20/16/1",
        "category": "goods",
        "awardedOn": "2016-07-28",
        "startsOn": "2016-07-28",
        "endsOn": "2016-11-18",
        "amount": "698988000",
        "currency": "AMD",
    }

    # The same file again: its vendors are known, its contracts recorded as it gives them.
    stdout, stderr = _import(database_url)
    assert stdout == (
        "ocds: read 19 processes; parties: 0 applied, 26 unchanged, 19 not imported, 0 refused;"
        " awards: 0 applied, 19 unchanged, 0 not imported, 2 refused;"
        " contracts: 0 applied, 19 unchanged, 0 not imported, 2 refused\n"
        "vendors: 0 registered, 25 already known;"
        " contract records: 0 awarded, 0 amended, 0 terminated\n"
        "events: 0 new, 0 taken before (the same import sent again)\n"
    )
    assert stderr == sorted(REFUSED)
    assert _recorded(database_url) == (25, 19)

    # The publisher's newer file extends PI-SI's contract: amended, not refused.
    package = json.loads(ARMENIA.read_text(encoding="utf-8"))
    (release, extended) = next(
        (r, c)
        for r in package["releases"]
        for c in r.get("contracts", [])
        if c["id"] == PI_SI_CONTRACT
    )
    extended["period"]["endDate"] = "2016-12-31T00:00:00+04:00"
    release["date"] = "2018-06-01T00:00:00+04:00"  # published after the first file
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")
    result = run_cli("import", "ocds", str(newer), "--database-url", database_url)
    assert result.returncode == 1 and sorted(result.stderr.splitlines()[1:]) == sorted(REFUSED)
    assert result.stdout.endswith(
        "contract records: 0 awarded, 1 amended, 0 terminated\n"
        "events: 1 new, 0 taken before (the same import sent again)\n"
    )

    def ends() -> str:
        found = embedded.client.data(VENDOR, id=screened["vendorId"])["vendor"]
        return str(found["contracts"]["edges"][0]["node"]["endsOn"])

    wait_until(lambda: ends() == "2016-12-31", "the extension applied", timeout=60)

    # The first file again, older than the extension: the extension stands.
    stdout, _ = _import(database_url)
    assert "contract records: 0 awarded, 0 amended, 0 terminated\n" in stdout
    assert ends() == "2016-12-31"

    # A record package (compiled releases): contracts recorded, then terminated.
    record = run_cli("import", "ocds", str(MEXICO_APF), "--database-url", database_url)
    assert record.returncode == 0, record.stderr
    assert "contract records: 3 awarded, 0 amended, 3 terminated\n" in record.stdout

    def insurer() -> list[dict[str, Any]]:
        screened = embedded.client.execute(SCREEN, scheme="mx_rfc", value="GAB0709244G5")
        if "errors" in screened:  # not registered yet
            return []
        found = embedded.client.data(VENDOR_ENDS, id=screened["data"]["bidEligibility"]["vendorId"])
        return [e["node"] for e in found["vendor"]["contracts"]["edges"]]

    wait_until(
        lambda: len(insurer()) == 2 and all(c["terminatedOn"] for c in insurer()),
        "the record package applied",
        timeout=60,
    )
    assert {(c["contractId"], c["terminatedOn"], c["terminationReason"]) for c in insurer()} == {
        ("ocds:ocds-07smqs-993235:991324", "2016-12-31", "OTHER"),
        ("ocds:ocds-07smqs-993235:1322806", "2017-03-08", "OTHER"),
    }
