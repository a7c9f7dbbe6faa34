"""The API process's name index on real PostgreSQL: found right after the registry commits,
only changed vendors reread, a change held back by an open transaction not lost, and long
searches that leave the event loop free."""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import time
import uuid
from typing import Any

import asyncpg
import pytest

from services.platform.graphql.context import RequestContext
from services.platform.operations.liveness import Liveness
from services.registry import announcements
from services.registry.api.graphql_context import NAME_INDEX
from services.registry.name_search import name_index_feed
from services.registry.name_search.name_index_feed import LiveNameIndex
from services.registry.name_search.search import NameKind
from services.registry.reads import queries
from services.registry.storage import vendor_repository
from services.registry.storage.vendor_repository import VendorRow
from tests.support import case_b
from tests.support.event_examples import VALID_PAYLOADS, envelope
from tests.support.in_process_api import SCHEMA, shared_context
from tests.support.principals import ADMIN
from tests.support.registry_db import apply

pytestmark = pytest.mark.postgres


async def _search(pool: asyncpg.Pool, names: LiveNameIndex, text: str) -> list[tuple[str, str]]:
    async with pool.acquire() as conn:
        return [(h.vendor_id, h.matched_kind) for h in await queries.search(conn, text, 5, names)]


async def test_a_vendor_is_found_as_soon_as_the_registry_applied_it(pool: asyncpg.Pool) -> None:
    names = LiveNameIndex()
    await apply(pool, case_b.another_vendor("vendor-x"))
    assert await _search(pool, names, "ビーシステム") == []  # built now, without vendor B

    await apply(pool, case_b.registered())
    assert (await _search(pool, names, "ビーシステム"))[0] == (case_b.VENDOR, NameKind.LEGAL)

    await apply(pool, case_b.renamed())
    assert (await _search(pool, names, "ビーソリューションズ"))[0][0] == case_b.VENDOR
    # The names before the rename are former names now.
    assert (await _search(pool, names, "株式会社ビーシステム"))[0] == (
        case_b.VENDOR,
        NameKind.FORMER,
    )

    await apply(pool, envelope("vendor.updated", {"aliases": ["Zymurgy Brewing"]}, case_b.VENDOR))
    assert (await _search(pool, names, "Zymurgy Brewing"))[0] == (case_b.VENDOR, NameKind.ALIAS)
    assert (case_b.VENDOR, NameKind.ALIAS) not in await _search(pool, names, "Bシステム")


async def test_a_tie_between_a_vendors_names_goes_to_the_one_recorded_first(
    pool: asyncpg.Pool,
) -> None:
    """Two former names scoring alike: the match named is the one recorded first, however the
    rows lie on disk (an update, a vacuum's reuse of a page, a rebuild move them), so a
    process started later names the same."""
    await apply(pool, case_b.registered())
    await apply(pool, case_b.renamed())

    async def matched() -> list[tuple[str, str]]:
        async with pool.acquire() as conn:
            hits = await queries.search(conn, "ビーシステム", 5, LiveNameIndex())
        return [(h.matched_name, h.matched_kind) for h in hits if h.vendor_id == case_b.VENDOR]

    first = await matched()
    assert first == [("株式会社ビーシステム", NameKind.FORMER)]
    # The former legal name's row written again: stored after the former kana's now.
    await pool.execute(
        "UPDATE registry_vendor_names SET used_until = used_until"
        " WHERE vendor_id = $1 AND name = '株式会社ビーシステム'",
        case_b.VENDOR,
    )
    assert await matched() == first


async def test_a_refresh_rereads_only_the_vendors_that_changed(pool: asyncpg.Pool) -> None:
    await apply(pool, case_b.registered(), *(case_b.another_vendor(f"v{n}") for n in range(20)))
    names = LiveNameIndex()
    statements: list[tuple[str, tuple[Any, ...]]] = []
    async with pool.acquire() as conn:
        await names.refresh(conn)  # the build
        conn.add_query_logger(lambda record: statements.append((record.query, record.args)))
        await names.refresh(conn)
        await asyncio.sleep(0.05)  # asyncpg calls the loggers soon after, not during
        assert len(statements) == 1  # nothing changed: the feed only
        # An identity change, and an eligibility change (an affiliation) of other vendors.
        affiliation = {**VALID_PAYLOADS["vendor.affiliation_changed"], "related_vendor_id": "v1"}
        await apply(
            pool, case_b.renamed(), envelope("vendor.affiliation_changed", affiliation, "v0")
        )
        statements.clear()
        await names.refresh(conn)
        await asyncio.sleep(0.05)
    reread = [args for query, args in statements if "registry_vendor_names" in query]
    assert reread == [([case_b.VENDOR],)]


async def test_a_change_committed_late_with_an_older_transaction_id_is_not_lost(
    pool: asyncpg.Pool,
) -> None:
    """The feed's order rule: a transaction that took its id first but commits last."""
    await apply(pool, case_b.another_vendor("vendor-old"))
    names = LiveNameIndex()
    async with pool.acquire() as slow, pool.acquire() as conn:
        await names.refresh(conn)
        late = slow.transaction()
        await late.start()
        # As the registry writes an alias: the names, and the feed in the same transaction.
        await slow.execute(
            "INSERT INTO registry_vendor_names (vendor_id, kind, name)"
            " VALUES ('vendor-old', 'alias', 'Zymurgy Brewing')"
        )
        now = await slow.fetchval("SELECT now()")
        await announcements.record_changes(slow, ["vendor-old"], "identity", now)
        # A later transaction, committed first, is found at once.
        await apply(pool, case_b.registered())
        assert (await queries.search(conn, "ビーシステム", 5, names))[0].vendor_id == case_b.VENDOR
        assert await queries.search(conn, "Zymurgy Brewing", 5, names) == []
        await late.commit()
        hits = await queries.search(conn, "Zymurgy Brewing", 5, names)
    assert [(h.vendor_id, h.matched_kind) for h in hits] == [("vendor-old", NameKind.ALIAS)]


async def test_many_changes_at_once_build_a_new_index(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(name_index_feed, "REBUILD_ABOVE", 2)
    names = LiveNameIndex()
    await apply(pool, case_b.another_vendor("vendor-x"))
    async with pool.acquire() as conn:
        await names.refresh(conn)
        await apply(pool, case_b.registered(), *(case_b.another_vendor(f"v{n}") for n in range(3)))
        await names.refresh(conn)
        hits = await queries.search(conn, "v2 K.K.", 5, names)
        assert hits[0].vendor_id == "v2"
        assert (await queries.search(conn, "ビーシステム", 5, names))[0].vendor_id == case_b.VENDOR


async def test_the_background_loop_keeps_the_index_up_to_date(pool: asyncpg.Pool) -> None:
    names = LiveNameIndex()
    live = Liveness("name index", "job")
    follow = asyncio.create_task(names.follow(pool, live))
    try:
        await apply(pool, case_b.registered())
        for _ in range(100):  # at most 10 s; one refresh a second
            index = names._index
            if index is not None and index.names_of(case_b.VENDOR):
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("the loop never applied vendor B's registration")
    finally:
        follow.cancel()
        await asyncio.gather(follow, return_exceptions=True)
    assert live.last_error is None


VENDORS = 10_000  # four names each: 40,000 names
BOUND_SECONDS = 0.75  # the longest the loop may stall: a shared machine is slow at times
SEARCH_ROUNDS = 20  # rounds of twelve at the most: they stop once twice the bound has passed
SEARCH = "query ($s: String!) { vendors(search: $s, first: 5) { vendorId score } }"
ELIGIBILITY = """query { bidEligibility(vendorId: "vendor-b", asOf: "2023-03-01") { eligible } }"""


async def _bulk_vendors(pool: asyncpg.Pool) -> None:
    """Registered straight into the projection (the consumer would take minutes): names and
    the feed's identity rows, as the registry writes them."""
    rows = [
        (
            VendorRow(
                vendor_id=f"bulk-{n:05d}",
                legal_name=f"株式会社バルク{n:05d}情報",
                name_kana=f"バルク{n:05d}ジョウホウ",
                name_en=f"Bulk {n:05d} Information Co., Ltd.",
                country="JP",
                aliases=(f"BULK{n:05d}",),
                identifiers=(),
            ),
            uuid.uuid4(),
        )
        for n in range(VENDORS)
    ]
    async with pool.acquire() as conn, conn.transaction():
        await vendor_repository.insert_new_vendors(conn, rows)
        now = await conn.fetchval("SELECT now()")
        await announcements.record_changes(conn, [v.vendor_id for v, _ in rows], "identity", now)


async def test_long_searches_do_not_hold_up_the_event_loop(pool: asyncpg.Pool) -> None:
    """Searches of a short word in every name score every name with every scorer (the slowest
    a search can be; one of three letters or fewer is an acronym, compared as a whole word
    only), twelve at once, while a ticker on the loop and eligibility checks measure how long
    the loop is kept waiting."""
    await _bulk_vendors(pool)
    await apply(pool, case_b.registered())
    context = dataclasses.replace(shared_context(pool), principal=ADMIN)
    # A full collection stops every thread while it walks every container in the process:
    # after a thousand tests that took 0.8 s here, a pause the searches did not cause and a
    # fresh API process does not have. Measured from a clean heap, as such a process starts.
    gc.collect()
    gc.freeze()
    try:
        await _searches_with_the_loop_watched(context)
    finally:
        gc.unfreeze()


async def _searches_with_the_loop_watched(context: RequestContext) -> None:
    async def run(query: str, **variables: Any) -> dict[str, Any]:
        result = await SCHEMA.execute(query, variable_values=variables, context_value=context)
        assert result.errors is None and result.data is not None, result.errors
        return result.data

    stalls: list[float] = []
    checks: list[float] = []
    searching = True

    async def ticker() -> None:
        while searching:
            before = time.perf_counter()
            await asyncio.sleep(0.01)
            stalls.append(time.perf_counter() - before - 0.01)

    async def eligibility() -> None:
        while searching:
            before = time.perf_counter()
            assert (await run(ELIGIBILITY))["bidEligibility"]["eligible"] is True
            checks.append(time.perf_counter() - before)
            await asyncio.sleep(0.02)

    started = time.perf_counter()
    watchers = [asyncio.create_task(ticker()), asyncio.create_task(eligibility())]
    try:
        # The first one builds the index (40,000 names), in a worker thread too. Rounds of
        # twelve until the searching has lasted twice the bound (one round did on a slower
        # machine; a faster one finished it in 1.3 s), a few at most.
        for _ in range(SEARCH_ROUNDS):
            answers = await asyncio.gather(*(run(SEARCH, s=s) for s in ["bulk"] * 12))
            if time.perf_counter() - started > 2 * BOUND_SECONDS:
                break
    finally:
        searching = False
        await asyncio.gather(*watchers)
    searching_seconds = time.perf_counter() - started

    assert all(len(a["vendors"]) == 5 for a in answers)
    assert context.part(NAME_INDEX).position[0] > 0
    # Enough CPU work that running it on the loop would have stalled it past the bound (the
    # build alone: about 2 s here when run on the loop, against 0.1-0.15 s of longest stall
    # from worker threads, the stall being the GIL's and the collector's).
    assert searching_seconds > 2 * BOUND_SECONDS
    assert stalls and max(stalls) < BOUND_SECONDS, max(stalls)
    assert checks and max(checks) < 2 * BOUND_SECONDS, max(checks)


async def test_the_api_finds_a_vendor_right_after_its_registration(pool: asyncpg.Pool) -> None:
    context = dataclasses.replace(shared_context(pool), principal=ADMIN)  # one index

    async def found(text: str) -> list[str]:
        result = await SCHEMA.execute(SEARCH, variable_values={"s": text}, context_value=context)
        assert result.errors is None and result.data is not None, result.errors
        return [hit["vendorId"] for hit in result.data["vendors"]]

    assert await found("ビーシステム") == []
    await apply(pool, case_b.registered())
    assert (await found("ビーシステム"))[0] == case_b.VENDOR
    assert await found("7000012050002") == [case_b.VENDOR]  # the identifier, exactly


async def test_concurrent_searches_share_a_refresh(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = LiveNameIndex()
    await names.refresh_from(pool)
    refreshes: list[None] = []
    original = names._refresh

    async def counted(conn: Any) -> None:
        refreshes.append(None)
        await asyncio.sleep(0.05)  # long enough for the others to queue behind it
        await original(conn)

    monkeypatch.setattr(names, "_refresh", counted)
    await asyncio.gather(*(names.refresh_from(pool) for _ in range(10)))
    # The first, and one for all those that asked while it ran (each may have asked just
    # before it began); never one each.
    assert len(refreshes) <= 2
