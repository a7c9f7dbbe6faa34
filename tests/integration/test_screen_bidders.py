"""`screenBidders` on a real PostgreSQL: a 1,000-bidder list from the e-procurement portal
(700 by corporate number, 250 by name with an address, 50 the registry has never seen; among
them 20 barred and 10 near-miss names of barred firms) screened in one request, every answer
checked against an independent evaluation: `bidEligibility` asked bidder by bidder for ids
and identifiers, and for names `search.rank` (every name scored, no index, no batch) over the
barred vendors' names as this test knows them (which vendors it barred and when); the SQL
statements counted. The barred firms abroad are real: the World Bank's list."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from typing import Any

import asyncpg
import pytest

from services.events.vendor import corporate_number_check_digit
from services.imports.entries import ListEntry
from services.imports.events import entry_events
from services.imports.lists import worldbank
from services.platform.consuming.consumer import apply_serialized_batch
from services.platform.graphql.context import RequestContext
from services.platform.settings import Settings
from services.registry.domain.names import fold_accents
from services.registry.name_search.search import NameCandidate, NameKind, rank
from tests.support import case_b, registry_db
from tests.support.event_examples import envelope
from tests.support.in_process_api import SCHEMA, execute, shared_context
from tests.support.name_pairs import LISTS, legal_form_variant, typo
from tests.support.principals import ADMIN
from tests.support.registry import REGISTRY

pytestmark = pytest.mark.postgres

DAY = dt.date(2025, 1, 8)  # the day after the World Bank list was downloaded
SETTINGS = Settings(database_url="unused")
REVIEW = SETTINGS.screening_review_threshold
OTHER_COUNTRY = SETTINGS.screening_other_country_threshold

SCREEN = """query ($bidders: [BidderInput!]!, $day: Date!) {
  screenBidders(bidders: $bidders, asOf: $day) {
    ref status vendorId error
    eligibility { eligible eligibleAgainOn reasons { sanctionId viaVendorId } }
    candidates { vendorId score matchedName matchedKind normalisations why
      names { name kind score } reasons { sanctionId } eligibleAgainOn }
  } }"""
ONE = """query ($vendor: VendorRefInput!, $day: Date!) {
  bidEligibility(vendor: $vendor, asOf: $day) {
    vendorId eligible eligibleAgainOn reasons { sanctionId viaVendorId } } }"""

# Local firms: a place and a trade make 750 names, no two closer than one word of two.
_PLACES = (
    "北浜南山東雲西川中央青葉桜台港町緑丘朝日若松白金黒田赤坂"
    "金沢銀座高砂深川浅間霧島鳴海富岡稲葉大森小倉長浜新宮古川今井岩瀬"
)
PLACES = [_PLACES[i : i + 2] for i in range(0, len(_PLACES), 2)]
_TRADES = (
    "建設設備電気土木工業商事技研興業産業物産運輸通信"
    "造園塗装管工鉄工測量警備清掃印刷情報機械化成薬品航空"
)
TRADES = [_TRADES[i : i + 2] for i in range(0, len(_TRADES), 2)]
# Barred local firms with katakana names, screened by name in hiragana and half-width kana.
KANA_BARRED = ("ミナトデンキ", "アオバケンセツ", "サクラツウシン")
KANA_WRITTEN = ("みなとでんき", "ｱｵﾊﾞｹﾝｾﾂ", "さくらつうしん")
# Firms abroad that are on no list (invented).
ABROAD = (
    "Nordbro Konsult AB",
    "Kelvinsmith Survey Partners Ltd",
    "Valdoro Ingegneria S.r.l.",
    "Trinh Anh Logistics Joint Stock Company",
    "Pampas Hydraulics S.A.",
)


def corporate_number(n: int) -> str:
    base = f"{700000000000 + n:012d}"
    return f"{corporate_number_check_digit(base)}{base}"


def written(number: str, n: int) -> str:
    """The number as portals write it: plain, hyphenated, or in full-width digits."""
    if n % 3 == 1:
        return f"{number[0]}-{number[1:5]}-{number[5:9]}-{number[9:]}"
    if n % 3 == 2:
        return number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return number


def local_name(n: int) -> str:
    place, trade = divmod(n, len(TRADES))
    return f"株式会社{PLACES[place]}{TRADES[trade]}"


@dataclasses.dataclass(frozen=True)
class Barred:
    """A barred vendor as this test made it: its names and country (for the independent
    evaluation of names) and the sanction that bars it."""

    vendor_id: str
    names: tuple[str, ...]
    country: str | None


def world_bank() -> list[ListEntry]:
    """The first 400 firms of the World Bank's list, one per vendor."""
    with (LISTS / "worldbank_debarred_firms_individuals.csv").open(encoding="utf-8") as f:
        entries = [e for e in worldbank.entries(f) if isinstance(e, ListEntry)][:400]
    seen: set[str] = set()
    kept = []
    for entry in entries:
        vendor = entry_events(entry, register=True).vendor_id
        if vendor not in seen:
            seen.add(vendor)
            kept.append(entry)
    return kept


def in_force(entry: ListEntry) -> bool:
    return entry.starts_on <= DAY and (entry.last_day is None or entry.last_day >= DAY)


def local_events() -> tuple[list[dict[str, Any]], list[Barred]]:
    """710 local vendors with corporate numbers: 0-16 suspended (0-2 with katakana names),
    17-19 subsidiaries of 700, whose suspension covers affiliates; 20 suspended and eligible
    again before the day; the rest never sanctioned."""
    events, barred = [], []
    for n in range(710):
        name = f"株式会社{KANA_BARRED[n]}" if n < len(KANA_BARRED) else local_name(n)
        payload = {
            "legal_name": name,
            "country": "JP",
            "identifiers": [{"scheme": "corporate_number", "value": corporate_number(n)}],
        }
        events.append(envelope("vendor.registered", payload, f"jp-{n:04d}"))
    for n in (*range(17), 700):
        events.append(
            case_b.suspended(
                f"jp-{n:04d}",
                f"city-{n:04d}",
                covers_affiliates=n == 700,
                decided_on="2024-09-30",
                starts_on="2024-10-01",
            )
        )
    for n in range(17, 20):
        owned = case_b.owned_by_b()
        owned["vendor_id"] = f"jp-{n:04d}"
        owned["payload"] = {**owned["payload"], "related_vendor_id": "jp-0700"}
        events.append(owned)
    events.append(case_b.suspended("jp-0020", "city-0020"))  # over on 2024-01-08
    for n in (*range(20), 700):
        name = events[n]["payload"]["legal_name"]
        barred.append(Barred(f"jp-{n:04d}", (name,), "JP"))
    return events, barred


async def seed(pool: asyncpg.Pool) -> tuple[list[ListEntry], list[Barred]]:
    events, barred = local_events()
    lines = [case_b.line(e) for e in events]
    entries = world_bank()
    for entry in entries:
        made = entry_events(entry, register=True)
        lines += [e.model_dump_json().encode() for e in made.events]
        if in_force(entry):
            aliases = [a for a in entry.aliases if a != entry.name]
            barred.append(Barred(made.vendor_id, (entry.name, *aliases), entry.country))
    for start in range(0, len(lines), 500):
        await apply_serialized_batch(pool, REGISTRY, lines[start : start + 500])
    assert await pool.fetchval("SELECT count(*) FROM dead_letters") == 0
    return entries, barred


def bidder_list(entries: list[ListEntry]) -> list[dict[str, Any]]:
    """700 by corporate number (local vendors 0-699: 20 barred), 250 by name with an
    address (10 near misses of barred firms: 3 kana, 7 abroad by legal form or typo; the
    rest local names and firms abroad on no list), 40 corporate numbers and 10 vendor ids
    no vendor has."""
    by_number = [
        {
            "ref": f"cn-{n}",
            "identifier": {"scheme": "corporate_number", "value": written(corporate_number(n), n)},
        }
        for n in range(700)
    ]
    near: list[dict[str, str | None]] = [
        {"name": written_name, "country": "JP"} for written_name in KANA_WRITTEN
    ]
    abroad = [e for e in entries if in_force(e) and e.country and len(e.name) > 12][:7]
    for n, entry in enumerate(abroad):
        varied = legal_form_variant(entry.name) if n % 2 == 0 else None
        near.append({"name": varied or typo(entry.name, 1), "country": entry.country})
    others: list[dict[str, str | None]] = [
        {"name": local_name(n).removeprefix("株式会社") + "(株)", "country": "JP"}
        for n in range(30, 265)
    ]
    others += [{"name": name, "country": None} for name in ABROAD]
    by_name = [
        {"ref": f"name-{n}", **given, "address": f"北浜市港町{n}-1"}
        for n, given in enumerate(near + others)
    ]
    unknown = [
        {
            "ref": f"new-{n}",
            "identifier": {"scheme": "corporate_number", "value": corporate_number(5000 + n)},
        }
        for n in range(40)
    ] + [{"ref": f"gone-{n}", "vendorId": f"no-such-vendor-{n}"} for n in range(10)]
    # The portal's order: kinds interleaved.
    return [
        b
        for group in itertools.zip_longest(by_number[::2], by_name, unknown, by_number[1::2])
        for b in group
        if b
    ]


def requests(statements: list[str]) -> list[str]:
    """The statements of a request, without the pool's reset of a connection given back."""
    return [s for s in statements if "RESET ALL" not in s]


async def run(context: RequestContext, query: str, **variables: Any) -> dict[str, Any]:
    result = await SCHEMA.execute(query, variable_values=variables, context_value=context)
    assert result.errors is None and result.data is not None, result.errors
    return result.data


async def one_by_one(context: RequestContext, bidder: dict[str, Any]) -> dict[str, Any] | None:
    """`bidEligibility` of a bidder named by id or identifier; None when no vendor is it."""
    vendor = (
        {"id": bidder["vendorId"]} if "vendorId" in bidder else {"identifier": bidder["identifier"]}
    )
    result = await SCHEMA.execute(
        ONE, variable_values={"vendor": vendor, "day": DAY.isoformat()}, context_value=context
    )
    if result.errors:
        (error,) = result.errors
        assert "no vendor has" in error.message or "unknown vendor" in error.message, error
        return None
    assert result.data is not None
    answer: dict[str, Any] = result.data["bidEligibility"]
    return answer


def expected_candidates(bidder: dict[str, Any], barred: list[Barred]) -> dict[str, float]:
    """Every barred vendor a name may be, with its score: each of their names scored by
    `search.rank` (accents folded on both sides, as the screening compares names), kept at
    the review threshold, or the other-country threshold when the countries differ."""
    names = [
        NameCandidate(b.vendor_id, NameKind.LEGAL if i == 0 else NameKind.ALIAS, fold_accents(n))
        for b in barred
        for i, n in enumerate(b.names)
    ]
    country = {b.vendor_id: b.country for b in barred}
    hits = rank(fold_accents(bidder["name"]), names, limit=len(barred), min_score=REVIEW)
    theirs = bidder.get("country")
    return {
        h.vendor_id: h.score
        for h in hits
        if h.score
        >= (
            OTHER_COUNTRY
            if theirs and country[h.vendor_id] and theirs != country[h.vendor_id]
            else REVIEW
        )
    }


async def test_a_thousand_bidders_screened_in_one_request_as_checked_one_by_one(
    counted: tuple[asyncpg.Pool, list[str]],
) -> None:
    pool, statements = counted
    entries, barred = await seed(pool)
    bidders = bidder_list(entries)
    assert len(bidders) == 1000
    assert (
        sum("identifier" in b for b in bidders) == 740 and sum("name" in b for b in bidders) == 250
    )
    context = dataclasses.replace(shared_context(pool), principal=ADMIN)
    few = [next(b for b in bidders if way in b) for way in ("vendorId", "identifier", "name")]
    await run(context, SCREEN, bidders=few, day=DAY.isoformat())  # the name index built

    statements.clear()
    answers = (await run(context, SCREEN, bidders=bidders, day=DAY.isoformat()))["screenBidders"]
    thousand = requests(statements)
    statements.clear()
    await run(context, SCREEN, bidders=few, day=DAY.isoformat())
    # The name index's catch-up, then ids, identifiers, review decisions on the names,
    # sanctioned vendors, affiliations, sanctions, barred vendors' countries: the same eight
    # for three bidders and a thousand.
    assert len(thousand) == len(requests(statements)) == 8, thousand

    assert [a["ref"] for a in answers] == [b["ref"] for b in bidders]
    statuses = {}
    for bidder, answer in zip(bidders, answers, strict=True):
        statuses[bidder["ref"]] = answer["status"]
        if "name" in bidder:
            expected = expected_candidates(bidder, barred)
            found = {c["vendorId"]: c["score"] for c in answer["candidates"]}
            assert found.keys() == expected.keys(), (bidder, answer)
            assert all(abs(found[v] - expected[v]) <= 0.051 for v in found), (found, expected)
            assert answer["status"] == ("POSSIBLE_MATCH" if expected else "UNKNOWN"), answer
            continue
        alone = await one_by_one(context, bidder)
        if alone is None:
            assert answer == {**answer, "status": "UNKNOWN", "vendorId": None, "eligibility": None}
            continue
        assert answer["status"] == ("ELIGIBLE" if alone["eligible"] else "BARRED"), (bidder, answer)
        assert answer["vendorId"] == alone["vendorId"]
        assert answer["eligibility"] == {
            k: alone[k] for k in ("eligible", "eligibleAgainOn", "reasons")
        }

    counts = {s: sum(v == s for v in statuses.values()) for s in set(statuses.values())}
    assert counts == {"ELIGIBLE": 680, "BARRED": 20, "POSSIBLE_MATCH": 10, "UNKNOWN": 290}, counts
    # The designed ones: the near misses are the flagged names, the barred by number are 0-19.
    assert {r for r, s in statuses.items() if s == "POSSIBLE_MATCH"} == {
        f"name-{n}" for n in range(10)
    }
    assert {r for r, s in statuses.items() if s == "BARRED"} == {f"cn-{n}" for n in range(20)}


EXPLAINED = """query ($bidders: [BidderInput!]!) {
  screenBidders(bidders: $bidders, asOf: "2023-03-01") {
    ref status vendorId error eligibility { eligibleAgainOn reasons { sanctionId } }
    candidates { vendorId score matchedName matchedKind normalisations why
      names { name kind score normalisations } reasons { sanctionId } eligibleAgainOn } } }"""


async def test_each_bidder_s_mistake_is_its_own_and_a_match_says_why(pool: asyncpg.Pool) -> None:
    await registry_db.apply(pool, case_b.registered(), case_b.suspended(), case_b.renamed())
    bidders: list[dict[str, Any]] = [
        {"ref": "bad-cn", "identifier": {"scheme": "corporate_number", "value": "8000012050002"}},
        {"ref": "two-ways", "vendorId": case_b.VENDOR, "name": "B System"},
        {"ref": "country-of-an-id", "vendorId": case_b.VENDOR, "country": "JP"},
        {"ref": "bad-country", "name": "ビーシステム", "country": "Japan"},
        # Two capitals, but no country's: matched as if no vendor could be of it.
        {"ref": "no-such-country", "name": "ビーシステム", "country": "ZZ"},
        {"ref": "kosovo", "name": "ビーシステム", "country": "XK"},  # the banks' code for it
        {"ref": "no-letter", "name": "%%"},
        {"ref": "too-long", "name": "sys" * 101},
        {
            "ref": "by-number",
            "identifier": {"scheme": "corporate_number", "value": "7000012050002"},
        },
        {"ref": "old-name", "name": "びーしすてむ", "country": "jp", "address": "東京都港区1-1"},
    ]
    answers = (await execute(pool, EXPLAINED, bidders=bidders))["screenBidders"]
    by_ref = {a["ref"]: a for a in answers}
    assert [a["ref"] for a in answers] == [b["ref"] for b in bidders]
    assert {r: a["error"] for r, a in by_ref.items() if a["status"] == "INVALID"} == {
        "bad-cn": "identifier: corporate number 8000012050002 fails its check digit"
        " (first digit should be 7)",
        "two-ways": "give exactly one of vendorId, identifier and name",
        "country-of-an-id": "country and address go with a name, not an id or identifier",
        "bad-country": "country: 'Japan' is not an ISO 3166-1 alpha-2 code (JP, US, …)",
        "no-such-country": "country: 'ZZ' is not an ISO 3166-1 alpha-2 code (JP, US, …)",
        "no-letter": "name: it has no letter or digit to match",
        "too-long": "name: 303 characters; a name or identifier to look for has at most 300",
    }
    barred = by_ref["by-number"]
    assert (barred["status"], barred["vendorId"]) == ("BARRED", case_b.VENDOR)
    assert barred["eligibility"] == {
        "eligibleAgainOn": case_b.ELIGIBLE_AGAIN,
        "reasons": [{"sanctionId": "city-2022-001"}],
    }
    # B was renamed from 2023-04-01: the bidder wrote its old kana reading in hiragana, which
    # on the screening's day (2023-03-01) was still its own, as its legal name was.
    (candidate,) = by_ref["old-name"]["candidates"]
    assert by_ref["old-name"]["status"] == "POSSIBLE_MATCH"
    assert candidate["vendorId"] == case_b.VENDOR and candidate["score"] == 100.0
    assert (candidate["matchedName"], candidate["matchedKind"]) == (
        "株式会社ビーシステム",
        "LEGAL",
    )
    assert candidate["normalisations"] == ["KANA_FOLDED", "LEGAL_FORM_REMOVED"]
    assert candidate["why"] == (
        "scores 100 against its legal name '株式会社ビーシステム'; kana folded, legal form"
        " removed; same country JP"
    )
    assert candidate["reasons"] == [{"sanctionId": "city-2022-001"}]
    assert candidate["eligibleAgainOn"] == case_b.ELIGIBLE_AGAIN
    # Every name of B, scored: its former reading too, with only the kana folded.
    scored = {n["name"]: (n["score"], n["normalisations"]) for n in candidate["names"]}
    assert scored["ビーシステム"] == (100.0, ["KANA_FOLDED"])
    assert scored["株式会社ビーソリューションズ"][0] < 88.0
    assert len(candidate["names"]) == 8  # 3 current, 3 former, 2 aliases


async def test_more_bidders_than_the_limit_is_the_request_s_error(pool: asyncpg.Pool) -> None:
    bidders = [{"ref": str(n), "vendorId": f"v{n}"} for n in range(5001)]
    context = dataclasses.replace(shared_context(pool), principal=ADMIN)
    result = await SCHEMA.execute(
        "query ($b: [BidderInput!]!) { screenBidders(bidders: $b) { ref } }",
        variable_values={"b": bidders},
        context_value=context,
    )
    assert result.errors is not None
    (error,) = result.errors
    assert error.message == "bidders: 5,001 bidders in one call; the limit is 5,000"


async def test_a_ref_given_to_two_bidders_is_the_request_s_error(pool: asyncpg.Pool) -> None:
    """A ref is how a client tells its answers apart: two bidders with one would be answered
    as two lines the portal cannot place, silently."""
    bidders = [
        {"ref": "line 1", "vendorId": "v1"},
        {"ref": "line 2", "name": "Nordbro Konsult AB"},
        {"ref": "line 1", "vendorId": "v3"},
        {"ref": "line 4", "vendorId": "v4"},
    ]
    context = dataclasses.replace(shared_context(pool), principal=ADMIN)
    result = await SCHEMA.execute(
        "query ($b: [BidderInput!]!) { screenBidders(bidders: $b) { ref } }",
        variable_values={"b": bidders},
        context_value=context,
    )
    assert result.data is None
    assert [(e.message, e.path, e.extensions) for e in result.errors or []] == [
        (
            "bidders: duplicate refs 'line 1'; a ref names one bidder, to tell its answer",
            ["screenBidders"],
            {"code": "BAD_USER_INPUT"},
        )
    ]
