"""The exclusions export round-trips: METI's real list of barred entities and the example
指名停止一覧 (bid suspensions of two authorities, scoped to categories, one firm suspended
twice) imported into a running `vendorwatch up`, exported as JSON lines on three days (with
`vendorwatch export exclusions`, and over HTTP, which writes the same), and each export
imported (`vendorwatch import exclusions`) into an empty registry of its own, also a running
`vendorwatch up`; the two are asked over GraphQL.

What "the same answers" means, for the export taken on day D and the registry R_D it filled:

- every exported vendor (`exclusions:<its id>` in R_D): the same `bidEligibility` on D and on
  each later day of the three (eligible, each reason's authority, kind, first and last day,
  `eligibleAgainOn`, the upcoming sanctions), for any category and for the example's
  categories. Later days agree because the export carries the sanctions that bar a vendor
  later (`upcoming`: 東和土木's second suspension, in the export of 2024-02-15), and no
  sanction here is amended from a day after D;
- a vendor barred only later (three of the example's on 2024-02-15): exported with its later
  sanctions alone, and the same answers on D (eligible) and each later day;
- a vendor not in the export: eligible on D in the original, and unknown to R_D (nothing
  excludes it there);
- days before D are not compared: a sanction that ended before D is not in the export of D,
  nor is a vendor barred only later (its sanction starting after D).

A reason through an affiliate would be imposed on the vendor itself (the affiliation is not
exported): these lists have no affiliations. The same export imported again sends nothing.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import asyncpg
import pytest

from tests.support.event_examples import VALID_PAYLOADS, envelope
from tests.support.postgres import count_now
from tests.support.processes import (
    GraphQLClient,
    Service,
    System,
    free_port,
    run_cli,
    stop_all,
    wait_until,
)
from tests.support.registry_db import wait_for_sanctions

if TYPE_CHECKING:
    from tests.support.postgres import TestDatabases

pytestmark = pytest.mark.postgres

LISTS = Path(__file__).resolve().parents[1] / "data" / "lists"
# Many barred, 東和土木 with a later suspension recorded already; after some periods ended
# (中村工務店 still suspended, for two categories); the future (the indefinite ones).
DAYS = ("2024-02-15", "2025-02-01", "2030-01-01")
BARRED = (78, 77, 76)  # METI's 75, and 3, 2 and 1 of the example's
# The example's firms barred only later, by day (exported with their later sanctions alone).
LATER_ONLY = {DAYS[0]: ["中村工務店", "丸越管工株式会社", "株式会社北浜建設"]}
CATEGORIES = (None, "土木一式工事", "建築一式工事")
MANY = """query ($ids: [ID!]!, $day: Date!, $category: String) {
  bidEligibilityMany(vendorIds: $ids, asOf: $day, category: $category) {
    vendorId eligible eligibleAgainOn
    reasons { authority kind startsOn endsOn }
    upcoming { authority kind startsOn endsOn } } }"""


@pytest.fixture
async def empty_urls(test_databases: TestDatabases) -> AsyncIterator[list[str]]:
    urls = [await test_databases.create() for _ in DAYS]
    yield urls
    for url in urls:
        await test_databases.drop(url)


@pytest.fixture
def copies(empty_urls: list[str], tmp_path: Path) -> Iterator[list[GraphQLClient]]:
    """A `vendorwatch up` on each empty database, started beside the original."""
    ports = [free_port() for _ in empty_urls]
    ups = [
        Service(f"copy{n}", ["up", "--database-url", url, "--port", str(port)], tmp_path)
        for n, (url, port) in enumerate(zip(empty_urls, ports, strict=True))
    ]
    clients = [GraphQLClient(f"http://127.0.0.1:{port}/graphql") for port in ports]
    try:
        yield clients
    except BaseException:
        for up in ups:
            print(f"--- {up.name}\n{up.log_tail()}")
        raise
    finally:
        for client in clients:
            client.close()
        for up in ups:  # all told to stop first: they shut down together
            up.process.terminate()
        stop_all(ups)


def _answers(
    client: GraphQLClient, ids: list[str], day: str, category: str | None
) -> list[dict[str, Any]]:
    found = client.data(MANY, ids=ids, day=day, category=category)["bidEligibilityMany"]
    answers: list[dict[str, Any]] = []
    for answer in found:
        del answer["vendorId"]
        for key in ("reasons", "upcoming"):
            answer[key] = sorted(answer[key], key=json.dumps)
        answers.append(answer)
    return answers


def _vendor_ids(database_url: str) -> list[str]:
    async def read() -> list[str]:
        conn = await asyncpg.connect(database_url)
        try:
            rows = await conn.fetch("SELECT vendor_id FROM registry_vendors ORDER BY vendor_id")
            return [row["vendor_id"] for row in rows]
        finally:
            await conn.close()

    return asyncio.run(read())


def _import(source: str, path: Path, database_url: str, refused: int = 0) -> str:
    result = run_cli("import", source, str(path), "--database-url", database_url)
    assert result.returncode == (1 if refused else 0), result.stderr
    assert f"; refused {refused};" in result.stdout, result.stdout
    return result.stdout


def report_of(stdout: str) -> tuple[str, ...]:
    return tuple(stdout.splitlines())


def _export(system: System, database_url: str, day: str) -> str:
    if day == DAYS[0]:
        out = run_cli("export", "exclusions", "--format", "json", "--as-of", day,
                      "--database-url", database_url)  # fmt: skip
        assert out.returncode == 0, out.stderr
        return out.stdout
    answer = system.client.get(f"/exports/exclusions.json?asOf={day}")
    assert answer.status_code == 200, answer.text
    return answer.text


def test_the_exclusions_export_round_trips(
    copies: list[GraphQLClient],  # first: they start while the original's `up` starts
    empty_urls: list[str],
    embedded: System,
    database_url: str,
    tmp_path: Path,
) -> None:
    _import("jp_meti", LISTS / "jp_meti_russia_export_ban_entities_first75.csv", database_url)
    # Its row with a wrong 法人番号 check digit is refused (test_jp_list_imports.py).
    _import("jp_suspension", LISTS / "jp_suspension_example.csv", database_url, refused=1)
    wait_for_sanctions(database_url, "jp_meti:", 75)
    wait_for_sanctions(database_url, "jp_suspension:", 11)

    exports: list[tuple[str, str, list[str]]] = []
    exports_later: list[list[str]] = []
    for day, url, barred in zip(DAYS, empty_urls, BARRED, strict=True):
        text = _export(embedded, database_url, day)
        path = tmp_path / f"exclusions-{day}.jsonl"
        path.write_text(text, encoding="utf-8")
        documents = [json.loads(line) for line in text.splitlines()]
        # Those barred only later are exported too: an import must not lift their bars.
        later_only = sorted(d["legalName"] for d in documents if not d["reasons"])
        assert later_only == LATER_ONLY.get(day, []), later_only
        assert len(documents) - len(later_only) == barred, [d["legalName"] for d in documents]
        chained = [d["legalName"] for d in documents if d["upcoming"] and d["reasons"]]
        assert chained == (["東和土木株式会社"] if day == DAYS[0] else []), chained
        sanctions = {r["sanctionId"] for d in documents for r in (*d["reasons"], *d["upcoming"])}
        vendors = len(documents)
        assert report_of(_import("exclusions", path, url)) == (
            f"exclusions: read {len(sanctions)} rows; refused 0; sanctions: {len(sanctions)}"
            f" imposed, 0 amended, 0 lifted, 0 unchanged; {vendors} vendors registered",
            f"events: {vendors + len(sanctions)} new, 0 taken before (the same import sent again)",
        )
        exports.append((day, url, [d["vendorId"] for d in documents if d["reasons"]]))
        exports_later.append([d["vendorId"] for d in documents if not d["reasons"]])
        wait_for_sanctions(url, "exclusions:", len(sanctions))

    for client in copies:
        wait_until(client.serving, "a copy's API to answer", 60)
    everyone = _vendor_ids(database_url)
    for n, ((day, _, ids), copy) in enumerate(zip(exports, copies, strict=True)):
        imported = [f"exclusions:{v}" for v in ids]
        assert not any(a["eligible"] for a in _answers(copy, imported, day, None))
        exported = [*ids, *exports_later[n]]
        for later in DAYS[n:]:
            for category in CATEGORIES:
                original = _answers(embedded.client, exported, later, category)
                copied = _answers(copy, [f"exclusions:{v}" for v in exported], later, category)
                assert copied == original, (day, later)
        # Not exported: eligible on the day, and unknown to the registry the export filled.
        others = sorted(set(everyone) - set(exported))
        assert len(others) == len(everyone) - len(exported) > 0, day
        assert all(a["eligible"] for a in _answers(embedded.client, others, day, None))
        unknown = copy.execute(MANY, ids=[f"exclusions:{v}" for v in others], day=day)
        assert "unknown vendor" in unknown["errors"][0]["message"], unknown

    day, url, _ = exports[0]  # 東和土木's later sanction too, and those barred only later
    rows = 79 + len(LATER_ONLY[day])
    assert report_of(_import("exclusions", tmp_path / f"exclusions-{day}.jsonl", url)) == (
        f"exclusions: read {rows} rows; refused 0; sanctions: 0 imposed, 0 amended, 0 lifted,"
        f" {rows} unchanged; 0 vendors registered",
        "events: 0 new, 0 taken before (the same import sent again)",
    )


@pytest.fixture
async def empty_url(test_databases: TestDatabases) -> AsyncIterator[str]:
    url = await test_databases.create()
    yield url
    await test_databases.drop(url)


def _lifts(database_url: str) -> int:
    return count_now(database_url, "SELECT count(*) FROM registry_sanction_changes WHERE lifted")


def _exported_agencies(system: System, vendor: str) -> list[list[str] | None]:
    lines = system.client.get("/exports/exclusions.json").text.splitlines()
    return [
        reason["agencies"]
        for line in map(json.loads, lines)
        if line["vendorId"] == vendor
        for reason in line["reasons"]
    ]


SCOPED = """query ($id: ID!, $agency: String) {
  bidEligibility(vendor: {vendorId: $id}, agency: $agency) { eligible eligibleAgainOn } }"""


def test_a_bar_back_in_a_newer_export_bars_again(
    embedded: System, database_url: str, empty_url: str, tmp_path: Path
) -> None:
    """A suspension of one agency's, widened to two and back to one while in force: its id in
    the exports goes (another scope, another id) and comes back, and the registry importing
    them had lifted the first for its absence; a lifted sanction stays lifted, so the vendor
    could bid at that agency there while barred here. Imposed again, it bars alike."""
    port = free_port()
    copy = Service("copy", ["up", "--database-url", empty_url, "--port", str(port)], tmp_path)
    client = GraphQLClient(f"http://127.0.0.1:{port}/graphql")
    vendor, city, water = "vendor-scoped", "市民課", "水道局"
    imposed = VALID_PAYLOADS["sanction.imposed"] | {
        "sanction_id": "s-scoped",
        "decided_on": "2026-10-31",
        "starts_on": "2026-11-01",
        "incident_ids": [],
        "agencies": [city],
    }
    steps = [
        (
            [
                envelope("vendor.registered", VALID_PAYLOADS["vendor.registered"], vendor),
                envelope("sanction.imposed", imposed, vendor),
            ],
            [city],
        ),
        *(
            (
                [
                    envelope(
                        "sanction.amended",
                        {"sanction_id": "s-scoped", "effective_on": day, "agencies": scope,
                         "reason": "scope reviewed"},
                        vendor,
                    )
                ],
                scope,
            )
            for day, scope in (("2026-11-15", [city, water]), ("2026-11-20", [city]))
        ),
    ]  # fmt: skip
    try:
        for n, (events, scope) in enumerate(steps):
            path = tmp_path / f"events-{n}.jsonl"
            path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
            embedded.publish(path)
            wait_until(lambda: _exported_agencies(embedded, vendor) == [scope], "the export")  # noqa: B023
            export = tmp_path / f"exclusions-{n}.jsonl"
            export.write_text(embedded.client.get("/exports/exclusions.json").text, "utf-8")
            _import("exclusions", export, empty_url)
            # Each export's scope is another sanction there, the one before lifted.
            wait_for_sanctions(empty_url, "exclusions:", n + 1)
            wait_until(lambda: _lifts(empty_url) == n, "the import's lifts to apply")  # noqa: B023
        wait_until(client.serving, "the copy's API to answer", 60)
        for agency in (city, water, None):
            here = embedded.client.data(SCOPED, id=vendor, agency=agency)["bidEligibility"]
            there = client.data(SCOPED, id=f"exclusions:{vendor}", agency=agency)
            assert there["bidEligibility"] == here, agency
            assert here["eligible"] is (agency == water), agency  # no agency: any may be barred
    except BaseException:
        print(f"--- copy\n{copy.log_tail()}")
        raise
    finally:
        client.close()
        stop_all([copy])
