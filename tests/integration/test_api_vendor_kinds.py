"""A vendor's kind, firm or individual, as the API shows it on a real PostgreSQL: as the IDB's
list registers it through `vendorwatch import`, and as `registerVendor` is given it. The
registry stored it and the exclusions exports carried it, but `Vendor` had no field for it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from services.cli import importing
from services.platform.settings import Settings
from tests.support.in_process_api import execute
from tests.support.live_consumers import drain_registry
from tests.support.principals import ADMIN
from tests.support.registry_db import apply

pytestmark = pytest.mark.postgres

# Two rows of the IDB's list as published (iadb_sanctioned_firms_individuals.csv, lines 2
# and 9): a firm and an individual, as its Entity column says.
IDB = (
    "Title,Entity,Nationality,Country,From,To,Grounds,Source,IDB Sanction Type,"
    "IDB Sanction Source,Other Name\n"
    '“Timir” LLP (“Timir”),Firm,Kazakhstan,Kyrgyzstan,"May 16, 2024","Dec 15, 2026",'
    " Fraud,WBG cross debarment,,,\n"
    'A K M Shahid Ullah,Individual,Bangladesh,Regional,"Apr 14, 2021",Ongoing, Fraud,'
    "ADB cross debarment,,,\n"
)
VENDOR = "query ($id: ID!) { vendor(vendorId: $id) { legalName kind } }"
REGISTER = """mutation ($id: ID!, $payload: VendorRegisteredInput!) {
  registerVendor(vendorId: $id, payload: $payload) { accepted errors { field message } } }"""


async def _kinds(pool: asyncpg.Pool) -> dict[str, Any]:
    """Every registered vendor's kind as `vendor` answers it, by legal name."""
    ids = [r["vendor_id"] for r in await pool.fetch("SELECT vendor_id FROM registry_vendors")]
    found = [(await execute(pool, VENDOR, id=i))["vendor"] for i in ids]
    return {v["legalName"]: v["kind"] for v in found}


async def test_the_idbs_firms_and_individuals_are_told_apart(
    pool: asyncpg.Pool, database_url: str, tmp_path: Path
) -> None:
    file = tmp_path / "idb.csv"
    file.write_text(IDB, encoding="utf-8")
    with file.open("rb") as opened:
        await importing.run("idb", opened, None, database_url, None, dry_run=False)
    await drain_registry(database_url, Settings(database_url=database_url))
    assert await _kinds(pool) == {
        "“Timir” LLP (“Timir”)": "FIRM",
        "A K M Shahid Ullah": "INDIVIDUAL",
    }


async def test_a_vendor_registered_with_a_kind_is_shown_with_it(pool: asyncpg.Pool) -> None:
    for vendor, kind in (("v-person", "INDIVIDUAL"), ("v-firm", "FIRM"), ("v-unknown", None)):
        payload = {"legalName": vendor, **({"kind": kind} if kind else {})}
        answer = await execute(pool, REGISTER, ADMIN, id=vendor, payload=payload)
        assert answer["registerVendor"] == {"accepted": True, "errors": []}
    rows = await pool.fetch("SELECT envelope::text AS e FROM event_store ORDER BY position")
    await apply(pool, *(json.loads(r["e"]) for r in rows))
    # A registration that did not say is not claimed to be either.
    assert await _kinds(pool) == {"v-person": "INDIVIDUAL", "v-firm": "FIRM", "v-unknown": None}
