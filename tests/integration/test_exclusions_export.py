"""The exclusions export on a real PostgreSQL: who is barred on a day, with names, identifiers
and every reason (through an affiliate too), in CSV (SAM.gov's columns), JSON lines and
FollowTheMoney entities; over HTTP for the roles that may check eligibility."""

from __future__ import annotations

import asyncio
import codecs
import csv
import datetime as dt
import io
import json
from typing import Any

import asyncpg
import pytest
from click.testing import CliRunner
from followthemoney import model
from followthemoney.types import registry

from services.cli.main import cli
from services.imports import csv_rows
from services.platform.security.auth import Role
from services.registry.exports.exclusion_formats import exported, ftm_entity_id
from services.registry.exports.exclusions import exclusions
from tests.support import case_b
from tests.support.event_examples import envelope
from tests.support.in_process_api import asgi_client
from tests.support.principals import token
from tests.support.registry_db import apply

pytestmark = pytest.mark.postgres

DURING, BEFORE = dt.date(2023, 1, 10), dt.date(2022, 7, 8)


async def _case(pool: asyncpg.Pool) -> None:
    """Vendor B suspended (covering affiliates), its subsidiary, and a vendor never barred."""
    await apply(
        pool,
        case_b.registered(),
        case_b.subsidiary(),
        case_b.owned_by_b(),
        case_b.another_vendor("vendor-clean"),
        case_b.suspended(covers_affiliates=True),
    )


async def _text(pool: asyncpg.Pool, format_: str, day: dt.date) -> str:
    return "".join([part async for part in exported(format_, exclusions(pool, day))])


def _rows(text: str) -> list[dict[str, str]]:
    """The CSV as a program reads it: UTF-8 with a byte-order mark (`utf-8-sig`)."""
    return list(csv.DictReader(io.StringIO(text.encode().decode("utf-8-sig"))))


async def test_the_barred_on_a_day_and_only_they(pool: asyncpg.Pool) -> None:
    await _case(pool)
    barred = [e async for e in exclusions(pool, DURING)]
    assert [e.vendor.vendor_id for e in barred] == [case_b.VENDOR, case_b.SUBSIDIARY]
    assert [r.via_vendor_id for r in barred[1].eligibility.reasons] == [case_b.VENDOR]
    assert [e async for e in exclusions(pool, BEFORE)] == []


async def test_csv_in_sams_columns(pool: asyncpg.Pool) -> None:
    await _case(pool)
    rows = _rows(await _text(pool, "csv", DURING))
    b = next(r for r in rows if r["Vendor ID"] == case_b.VENDOR)
    assert b["Name"] == "株式会社ビーシステム" and b["Country"] == "JP"
    assert (b["Active Date"], b["Termination Date"]) == ("2022-07-09", "2024-01-08")
    assert b["Excluding Agency"] == "City procurement office"
    assert b["Exclusion Type"] == "bid_suspension"
    assert "corporate_number:7000012050002" in b["Identifiers"]
    assert "B System Co., Ltd." in b["Cross-Reference"]
    sub = next(r for r in rows if r["Vendor ID"] == case_b.SUBSIDIARY)
    assert sub["Through Affiliate"] == case_b.VENDOR


async def test_each_party_classified_as_the_registry_knows_it(pool: asyncpg.Pool) -> None:
    # Every row said "Firm", the IDB's 233 individuals too; a vendor of no known kind (its
    # registration did not say) is not claimed to be one.
    kinds = {"v-person": "individual", "v-firm": "firm", "v-unknown": None}
    await apply(
        pool,
        *[
            envelope("vendor.registered", {"legal_name": v, **({"kind": k} if k else {})}, v)
            for v, k in kinds.items()
        ],
        *[case_b.suspended(vendor_id=v, sanction_id=f"s-{v}") for v in kinds],
    )
    rows = _rows(await _text(pool, "csv", DURING))
    assert {r["Vendor ID"]: r["Classification"] for r in rows} == {
        "v-person": "Individual",
        "v-firm": "Firm",
        "v-unknown": "",
    }
    lines = (await _text(pool, "ftm", DURING)).splitlines()
    proxies = [model.get_proxy(json.loads(line)) for line in lines]
    schemata = {p.first("name"): p.schema.name for p in proxies if p.schema.name != "Sanction"}
    assert schemata == {"v-person": "Person", "v-firm": "Organization", "v-unknown": "LegalEntity"}


async def test_a_lift_dated_ahead_ends_the_exported_exclusion_there(pool: asyncpg.Pool) -> None:
    # Lifted from 2023-03-01, recorded before: as of 2023-01-10 the row said it ran to
    # 2024-01-08 beside eligibleAgainOn 2023-03-01, and a registry importing the export
    # barred the vendor ten months longer.
    await _case(pool)
    await apply(pool, case_b.lifted("2023-03-01"))
    rows = _rows(await _text(pool, "csv", DURING))
    b = next(r for r in rows if r["Vendor ID"] == case_b.VENDOR)
    assert (b["Active Date"], b["Termination Date"]) == ("2022-07-09", "2023-02-28")
    documents = [json.loads(line) for line in (await _text(pool, "json", DURING)).splitlines()]
    assert documents[0]["eligibleAgainOn"] == "2023-03-01"
    assert [r["endsOn"] for r in documents[0]["reasons"]] == ["2023-02-28"]


async def test_json_lines_with_every_reason(pool: asyncpg.Pool) -> None:
    await _case(pool)
    documents = [json.loads(line) for line in (await _text(pool, "json", DURING)).splitlines()]
    b = documents[0]
    assert b["vendorId"] == case_b.VENDOR and b["eligibleAgainOn"] == "2024-01-09"
    assert b["identifiers"][0] == {"scheme": "corporate_number", "value": "7000012050002"}
    (reason,) = b["reasons"]
    assert reason["grounds"] == ["breach_of_contract", "dishonest_conduct"]
    assert (reason["startsOn"], reason["endsOn"]) == ("2022-07-09", "2024-01-08")
    assert reason["coversAffiliates"] is True and b["upcoming"] == []
    (through,) = documents[1]["reasons"]  # its subsidiary's
    assert (through["viaVendorId"], through["coversAffiliates"]) == (case_b.VENDOR, True)


async def test_followthemoney_entities_the_model_reads(pool: asyncpg.Pool) -> None:
    await _case(pool)
    lines = (await _text(pool, "ftm", DURING)).splitlines()
    proxies = [model.get_proxy(json.loads(line)) for line in lines]
    entities = {p.id: p for p in proxies if p.schema.name == "LegalEntity"}
    sanctions = [p for p in proxies if p.schema.name == "Sanction"]
    b = entities[ftm_entity_id(case_b.VENDOR)]
    assert b.get("name") == ["株式会社ビーシステム"] and b.get("country") == ["jp"]
    assert "7000012050002" in b.get("registrationNumber")
    assert {s.first("entity") for s in sanctions} == set(entities)
    assert sanctions[0].get("startDate") == ["2022-07-09"]


# Vendor and sanction ids as the lists' importers and the catalog make them: FtM's ids have
# only letters, digits, `.` and `-`, and followthemoney dropped each Sanction's `entity`
# naming `vendorwatch-ebrd:…` without a word (none of 2,830 had one).
ODD_IDS = ("worldbank:mr-rufat-majidov-1f2e", "ocds:ocds-b5fd17-000_1", "ebrd:x.", "v_1-")


async def test_every_sanction_names_its_entity_whatever_the_vendor_id(
    pool: asyncpg.Pool,
) -> None:
    await apply(
        pool,
        *[case_b.another_vendor(v) for v in ODD_IDS],
        *[case_b.suspended(vendor_id=v, sanction_id=f"{v}:s") for v in ODD_IDS],
    )
    proxies = [
        model.get_proxy(json.loads(line))
        for line in (await _text(pool, "ftm", DURING)).splitlines()
    ]
    entities = {str(p.id) for p in proxies if p.schema.name == "LegalEntity"}
    sanctions = [p for p in proxies if p.schema.name == "Sanction"]
    # Each id valid FtM, and derived from the vendor id alone (the same in every export).
    assert entities == {ftm_entity_id(v) for v in ODD_IDS}
    assert all(registry.entity.validate(str(p.id)) for p in proxies)
    assert len({p.id for p in proxies}) == len(proxies) == 2 * len(ODD_IDS)
    assert sorted(str(s.first("entity")) for s in sanctions) == sorted(entities)


async def test_each_format_downloads_under_its_own_name_the_csv_for_spreadsheets(
    pool: asyncpg.Pool,
) -> None:
    # The JSON lines and FtM were both `exclusions-<day>.jsonl`: one download overwrote the
    # other. The CSV had no byte-order mark, and Excel showed its Japanese names garbled.
    await _case(pool)
    headers = {"authorization": f"Bearer {token(Role.AUDITOR)}"}
    async with asgi_client(pool) as client:
        answers = {
            f: await client.get(f"/exports/exclusions.{f}?asOf=2023-01-10", headers=headers)
            for f in ("csv", "json", "ftm")
        }
    names = {f: a.headers["content-disposition"] for f, a in answers.items()}
    assert names == {
        "csv": 'attachment; filename="exclusions-2023-01-10.csv"',
        "json": 'attachment; filename="exclusions-2023-01-10.jsonl"',
        "ftm": 'attachment; filename="exclusions-2023-01-10.ftm.json"',
    }
    body = answers["csv"].content
    assert body.startswith(codecs.BOM_UTF8) and "株式会社ビーシステム".encode() in body
    # Read as the project's list importers read a CSV (`utf-8-sig`, the mark stripped): the
    # first column by its name.
    stream = io.TextIOWrapper(io.BytesIO(body), encoding="utf-8-sig", newline="")
    first, _ = list(csv_rows.rows(stream, ("Classification", "Name")))
    assert isinstance(first, tuple), first  # a row read whole, not a RowProblem
    assert first[1]["Name"] == "株式会社ビーシステム" and "Classification" in first[1]


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        (Role.PROCUREMENT_OFFICER, "/exports/exclusions.csv?asOf=2023-01-10", 200),
        (Role.AUDITOR, "/exports/exclusions.ftm?asOf=2023-01-10", 200),
        (Role.VIEWER, "/exports/exclusions.csv?asOf=2023-01-10", 403),
        (Role.ADMIN, "/exports/exclusions.xml", 404),
        (Role.ADMIN, "/exports/exclusions.json?asOf=10/01/2023", 400),
        # The same day as an era date, as the API's `Date` reads it (it was refused).
        (Role.PROCUREMENT_OFFICER, "/exports/exclusions.csv?asOf=令和5年1月10日", 200),
        (Role.PROCUREMENT_OFFICER, "/exports/exclusions.csv?asOf=R5.1.10", 200),
    ],
)
async def test_over_http_for_those_who_may_check_eligibility(
    pool: asyncpg.Pool, role: Role, path: str, status: int
) -> None:
    await _case(pool)
    async with asgi_client(pool) as client:
        answer = await client.get(path, headers={"authorization": f"Bearer {token(role)}"})
    assert answer.status_code == status, answer.text
    if status == 200:
        # FtM names the vendor by its id's hash (`ftm_entity_id`), the others by its id.
        vendor = ftm_entity_id(case_b.VENDOR) if ".ftm" in path else case_b.VENDOR
        assert vendor in answer.text
    else:
        body: dict[str, Any] = answer.json()
        assert body["errors"][0]["message"]


@pytest.mark.parametrize("format_", ["csv", "json", "ftm"])
@pytest.mark.parametrize("day", ["9999-12-31", "1867-12-31"])
async def test_a_day_outside_the_registrys_years_is_refused_as_the_apis_date_is(
    pool: asyncpg.Pool, database_url: str, format_: str, day: str
) -> None:
    # 9999-12-31 reached the export, whose day after it overflowed: a 500, and `--as-of`
    # printed the CSV's header and then a traceback. The API's `Date` refuses it so.
    await _case(pool)
    why = f"year {day[:4]} is outside 1868–2999"
    headers = {"authorization": f"Bearer {token(Role.AUDITOR)}"}
    async with asgi_client(pool) as client:
        answer = await client.get(f"/exports/exclusions.{format_}?asOf={day}", headers=headers)
    assert answer.status_code == 400, answer.text
    said = answer.json()["errors"][0]
    assert (said["message"], said["extensions"]["code"]) == (f"asOf: {why}", "BAD_USER_INPUT")
    args = ["export", "exclusions", "--format", format_, "--as-of", day]
    printed = await asyncio.to_thread(
        CliRunner().invoke, cli, [*args, "--database-url", database_url]
    )
    assert printed.exit_code == 2, printed.output
    # Refused before anything is exported: no header, no traceback.
    assert printed.output.startswith("Usage:"), printed.output
    assert printed.output.splitlines()[-1] == f"Error: Invalid value for '--as-of': {why}"
