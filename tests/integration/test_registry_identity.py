"""Vendor identity in the registry (real PostgreSQL): identifiers, renames, updates, search."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from services.events.vendor import corporate_number_check_digit
from services.registry.domain.names import IdentifierKey
from services.registry.name_search.search import NameKind
from services.registry.reads import queries
from tests.support import case_b
from tests.support.event_examples import envelope
from tests.support.registry_db import apply, rejection

pytestmark = pytest.mark.postgres

DISTRACTORS = {
    "vendor-d1": {
        "legal_name": "株式会社ビーシステムズ工業",
        "name_kana": "ビーシステムズコウギョウ",
    },
    "vendor-d2": {"legal_name": "シーシステム株式会社", "name_kana": "シーシステム"},
    "vendor-d3": {"legal_name": "株式会社ビー情報サービス", "name_en": "B Info Service Inc."},
    "vendor-d4": {"legal_name": "ディーシステム合同会社", "name_en": "D System LLC"},
}


async def _seed(pool: asyncpg.Pool) -> None:
    await apply(
        pool,
        case_b.registered(),
        *(envelope("vendor.registered", p, v) for v, p in DISTRACTORS.items()),
        case_b.renamed(),
    )


async def _first_hit(pool: asyncpg.Pool, text: str) -> tuple[str, str, NameKind]:
    async with pool.acquire() as conn:
        hits = await queries.search(conn, text, 5)
    assert hits, f"nothing found for {text!r}"
    return hits[0].vendor_id, hits[0].matched_name, hits[0].matched_kind


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        # The kana reading equals the legal name once 株式会社 is dropped: either may match.
        ("ﾋﾞｰｿﾘｭｰｼｮﾝｽﾞ", {NameKind.KANA, NameKind.LEGAL}),  # half-width katakana
        ("びーそりゅーしょんず", {NameKind.KANA, NameKind.LEGAL}),  # hiragana
        ("株式会社ビーシステム", {NameKind.FORMER}),  # the name before the rename
        ("ビーソリューションズ", {NameKind.LEGAL, NameKind.KANA}),  # 株式会社 removed
        ("(株)ビーソリューションズ", {NameKind.LEGAL, NameKind.KANA}),  # written another way
        ("B Solutions", {NameKind.ENGLISH}),  # Co., Ltd. removed
        ("b solutions co ltd", {NameKind.ENGLISH}),
        ("7000012050002", {NameKind.IDENTIFIER}),  # the corporate number, exactly
    ],
)
async def test_search_ranks_vendor_b_first(
    pool: asyncpg.Pool, text: str, kinds: set[NameKind]
) -> None:
    await _seed(pool)
    vendor_id, _, matched_kind = await _first_hit(pool, text)
    assert vendor_id == case_b.VENDOR
    assert matched_kind in kinds


@pytest.mark.parametrize(
    ("text", "named"),
    [
        # An identifier, however typed, names the vendor by its legal name, not the text.
        ("７０００－０１２０－５０００２", ("株式会社ビーソリューションズ", NameKind.IDENTIFIER)),
        ("v-0042", ("株式会社ビーソリューションズ", NameKind.IDENTIFIER)),  # its internal id
        # A name typed otherwise is named as recorded.
        ("ｂシステム", ("Bシステム", NameKind.ALIAS)),
        ("(株)ビーシステム", ("株式会社ビーシステム", NameKind.FORMER)),
        ("b solutions co ltd", ("B Solutions Co., Ltd.", NameKind.ENGLISH)),
    ],
)
async def test_a_hit_names_which_of_the_vendors_recorded_names_matched(
    pool: asyncpg.Pool, text: str, named: tuple[str, NameKind]
) -> None:
    """The finding: an identifier's hit named the text searched for as `matchedName`."""
    await _seed(pool)
    vendor_id, matched_name, matched_kind = await _first_hit(pool, text)
    assert (vendor_id, (matched_name, matched_kind)) == (case_b.VENDOR, named)


async def test_a_renamed_vendor_keeps_its_former_names(pool: asyncpg.Pool) -> None:
    await _seed(pool)
    async with pool.acquire() as conn:
        vendor = await queries.vendor(conn, case_b.VENDOR)
    assert vendor is not None
    assert vendor.legal_name == "株式会社ビーソリューションズ"
    former = {(f.name, str(f.used_until)) for f in vendor.former_names}
    assert ("株式会社ビーシステム", "2023-03-31") in former
    assert ("ビーシステム", "2023-03-31") in former


async def test_identifiers_resolve_a_vendor_and_clashes_are_refused(pool: asyncpg.Pool) -> None:
    await _seed(pool)
    async with pool.acquire() as conn:
        typed = IdentifierKey("corporate_number", "7000-0120-50002")
        assert await queries.resolve_vendor(conn, None, typed) == case_b.VENDOR
        unknown = f"{corporate_number_check_digit('1' * 12)}{'1' * 12}"
        with pytest.raises(queries.RegistryQueryError, match="no vendor has corporate_number"):
            await queries.resolve_vendor(conn, None, IdentifierKey("corporate_number", unknown))
        # A mistyped number is told as one, as registering or screening it is.
        mistyped = IdentifierKey("corporate_number", "1234567890123")
        with pytest.raises(queries.RegistryQueryError, match="fails its check digit"):
            await queries.resolve_vendor(conn, None, mistyped)
    clash: dict[str, Any] = {"identifiers": [{"scheme": "internal", "value": "V-0042"}]}
    reason = await rejection(pool, envelope("vendor.updated", clash, "vendor-d1"))
    assert "already belong to another vendor" in reason and "vendor-b" in reason


async def test_a_corporate_number_registered_as_written_by_hand_is_one_every_lookup_finds(
    pool: asyncpg.Pool,
) -> None:
    """Written with full-width digits and a hyphen at registration (as it was refused, while
    search and screening read it), recorded as its 13 digits, found however it is typed."""
    await _seed(pool)
    registered = {
        "legal_name": "株式会社ティー工業",
        "identifiers": [
            {"scheme": "corporate_number", "value": "１－１８０３－０１０１－８７７１"}
        ],
    }
    await apply(pool, envelope("vendor.registered", registered, "vendor-t"))
    async with pool.acquire() as conn:
        vendor = await queries.vendor(conn, "vendor-t")
        assert vendor is not None
        assert [(i.scheme, i.value) for i in vendor.identifiers] == [
            ("corporate_number", "1180301018771")
        ]
        typed = IdentifierKey("corporate_number", "1180 3010 18771")
        assert await queries.resolve_vendor(conn, None, typed) == "vendor-t"
        hits = await queries.search(conn, "1180301018771", 5)
    assert (hits[0].vendor_id, hits[0].matched_kind) == ("vendor-t", NameKind.IDENTIFIER)
    # The same number written otherwise is the same identifier: another vendor's is refused.
    again = {"identifiers": [{"scheme": "corporate_number", "value": "1180301018771"}]}
    reason = await rejection(pool, envelope("vendor.updated", again, "vendor-d1"))
    assert "already belong to another vendor" in reason and "vendor-t" in reason


async def test_updates_replace_names_and_identifiers(pool: asyncpg.Pool) -> None:
    await _seed(pool)
    change = {"name_en": "Bee Solutions", "identifiers": [{"scheme": "duns", "value": "123456789"}]}
    await apply(pool, envelope("vendor.updated", change, case_b.VENDOR))
    async with pool.acquire() as conn:
        vendor = await queries.vendor(conn, case_b.VENDOR)
        assert vendor is not None and vendor.name_en == "Bee Solutions"
        assert [(i.scheme, i.value) for i in vendor.identifiers] == [("duns", "123456789")]
        hits = await queries.search(conn, "Bee Solutions", 3)
    assert hits[0].vendor_id == case_b.VENDOR
