"""Which of a barred vendor's names a bidder's name matched, as the screening's day knew them
(real PostgreSQL, the registry applying the log; a tester's finding). Vendor B, renamed on
2023-04-01, screened by its old name as of 2023-01-10: the match was labelled a former name
although on that day it was B's legal name. Former names keep the last day they were used
and which of the vendor's names each was; a rebuild gives that back from the log."""

from __future__ import annotations

import asyncpg
import pytest

from services.cli import rebuilding
from services.platform.eventlog.embedded import drain
from services.platform.settings import Settings
from tests.support import case_b
from tests.support.event_examples import envelope
from tests.support.in_process_api import execute
from tests.support.record_receipts import submitted, typed
from tests.support.registry import REGISTRY

pytestmark = pytest.mark.postgres

SCREEN = """query ($b: [BidderInput!]!, $d: Date!) { screenBidders(bidders: $b, asOf: $d) {
  ref candidates { vendorId matchedName matchedKind names { name kind } } } }"""
BIDDERS = [
    {"ref": "legal", "name": "株式会社ビーシステム"},
    {"ref": "english", "name": "B System Co., Ltd."},
]
Matched = dict[str, tuple[str, str]]


async def _kinds(pool: asyncpg.Pool, day: str) -> tuple[Matched, dict[str, str]]:
    """Per bidder, the name matched and its kind; and the kind of each of B's names."""
    answers = (await execute(pool, SCREEN, b=BIDDERS, d=day))["screenBidders"]
    matched: Matched = {}
    names: dict[str, str] = {}
    for answer in answers:
        (candidate,) = answer["candidates"]
        assert candidate["vendorId"] == case_b.VENDOR
        matched[answer["ref"]] = (candidate["matchedName"], candidate["matchedKind"])
        names = {n["name"]: n["kind"] for n in candidate["names"]}
    return matched, names


async def _recorded(pool: asyncpg.Pool, *events: dict[str, object]) -> None:
    for event in events:
        assert (await submitted(pool, event))["accepted"]
    await drain(pool, REGISTRY)


OLD_NAMES = {
    "株式会社ビーシステム": "LEGAL",
    "ビーシステム": "KANA",
    "B System Co., Ltd.": "ENGLISH",
}
ALIASES = {"(株)ビーシステム": "ALIAS", "Bシステム": "ALIAS"}  # B's, as registered
NEW_NAMES = {
    "株式会社ビーソリューションズ": "LEGAL",
    "ビーソリューションズ": "KANA",
    "B Solutions Co., Ltd.": "ENGLISH",
}


async def test_a_name_in_use_on_the_day_is_matched_as_what_it_was_then(
    pool: asyncpg.Pool,
) -> None:
    await _recorded(pool, case_b.registered(), case_b.suspended(), case_b.renamed())
    # Before the rename took effect, up to its last day, the old names were B's own.
    matched, names = await _kinds(pool, "2023-01-10")
    assert matched == {
        "legal": ("株式会社ビーシステム", "LEGAL"),
        "english": ("B System Co., Ltd.", "ENGLISH"),
    }
    assert names == {**OLD_NAMES, **NEW_NAMES, **ALIASES}
    assert await _kinds(pool, "2023-03-31") == (matched, names)
    # From the day it took effect: former names.
    matched, names = await _kinds(pool, "2023-04-01")
    assert matched == {
        "legal": ("株式会社ビーシステム", "FORMER"),
        "english": ("B System Co., Ltd.", "FORMER"),
    }
    assert names == {**dict.fromkeys(OLD_NAMES, "FORMER"), **NEW_NAMES, **ALIASES}


async def test_a_rebuild_keeps_which_name_a_former_name_was(
    pool: asyncpg.Pool, database_url: str
) -> None:
    await _recorded(pool, case_b.registered(), case_b.suspended(), case_b.renamed())
    before = await _kinds(pool, "2023-01-10")
    await rebuilding.rebuild(Settings(database_url=database_url), ["registry"], force=True)
    assert await _kinds(pool, "2023-01-10") == before


async def test_a_name_an_update_replaced_stays_former_its_last_day_unknown(
    pool: asyncpg.Pool,
) -> None:
    await _recorded(pool, case_b.registered(), case_b.suspended())
    names = {"legal_name": "株式会社ビーテック", "name_kana": "ビーテック", "name_en": "B Tech"}
    assert (await typed(pool, envelope("vendor.updated", names, case_b.VENDOR)))["accepted"]
    await drain(pool, REGISTRY)
    matched, _ = await _kinds(pool, "2023-01-10")
    assert matched["legal"] == ("株式会社ビーシステム", "FORMER")


CORRECTED = {
    "new_legal_name": "株式会社ビーテクノ",
    "new_name_kana": "ビーテクノ",
    "new_name_en": "B Techno Co., Ltd.",
    "effective_on": "2023-04-01",
}


async def test_a_name_a_same_day_rename_corrected_was_never_in_use(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """B renamed on 2023-04-01 to ビーソリューションズ, corrected the same day to ビーテクノ:
    both B's old names and the corrected ones were listed as used until 2023-03-31, and all
    answered as B's own names on the days before. Only the old ones were in use then."""
    corrected = envelope("vendor.renamed", CORRECTED, case_b.VENDOR)
    await _recorded(pool, case_b.registered(), case_b.suspended(), case_b.renamed(), corrected)
    screen = [{"ref": "legal", "name": "株式会社ビーソリューションズ"}]
    (answer,) = (await execute(pool, SCREEN, b=screen, d="2023-01-10"))["screenBidders"]
    (candidate,) = answer["candidates"]
    assert (candidate["matchedName"], candidate["matchedKind"]) == (
        "株式会社ビーソリューションズ",
        "FORMER",
    )
    matched, names = await _kinds(pool, "2023-01-10")
    assert matched == {
        "legal": ("株式会社ビーシステム", "LEGAL"),
        "english": ("B System Co., Ltd.", "ENGLISH"),
    }
    expected = {
        **OLD_NAMES,
        **dict.fromkeys(NEW_NAMES, "FORMER"),
        **ALIASES,
        "株式会社ビーテクノ": "LEGAL",
        "ビーテクノ": "KANA",
        "B Techno Co., Ltd.": "ENGLISH",
    }
    assert names == expected
    await rebuilding.rebuild(Settings(database_url=database_url), ["registry"], force=True)
    assert await _kinds(pool, "2023-01-10") == (matched, names)
