"""The vendor-name index of one API process, kept up to date from the registry's change feed.

Built once from every name (one statement, so one snapshot), then refreshed from
`registry_changes`: only the vendors with an identity change not applied yet have their names
read again and replaced in the index. A search refreshes first (one round trip when nothing
changed), so a vendor is found as soon as the registry has committed its registration or
rename; a background loop (`follow`) refreshes every REFRESH_SECONDS as well, so that a burst
of changes is absorbed there rather than by the next search.

Where the index stands: every identity change with a transaction id below `horizon` is
applied, and so are those listed in `applied` at or above it. The horizon is the xmin of the
snapshot that read the feed: every transaction below it had ended, so a change with a lower
id that was not seen can no longer appear. Changes above it may still appear with lower
sequence numbers (ids are handed out before their transactions commit, in another order:
queries.changes_since), so those already applied are remembered by (xid, seq) instead of by
a cursor, and the next refresh reads from the horizon again. That re-read is empty unless a
transaction stays open a long time (a rebuild's).

The CPU work (building, applying, searching) runs in this module's own two worker threads:
off the event loop, and off the default executor that the consumers parse their batches in
(platform/off_the_loop.py), so that many searches at once cannot hold up the consumers.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

import asyncpg

from services.platform.operations.liveness import Liveness
from services.platform.operations.retry import until_done
from services.platform.postgres.database import Connection
from services.registry.name_search.name_index import NameIndex
from services.registry.name_search.search import NameCandidate, NameKind, SearchHit

__all__ = ["REFRESH_SECONDS", "LiveNameIndex"]

REFRESH_SECONDS = 1.0
# More changed vendors than this at once (a bulk import, a rebuild under new rules): a new
# index is built beside the old one, which answers meanwhile, instead of replacing them one
# by one.
REBUILD_ABOVE = 5000

_PAGE_ROWS = 5000

# One pool per process, shared by every index (there is one per API process anyway).
_THREADS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="name-index")

Result = TypeVar("Result")

# Within a vendor, names in the order they were recorded, which breaks a vendor's ties between
# names of one kind and one score (registry migration 0011: not the order stored, which
# vacuum and rebuilds move).
_ALL_NAMES = """
WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS horizon)
SELECT n.vendor_id, n.kind, n.name, n.used_until, n.former_of,
       NULL::xid8 AS xid, NULL::bigint AS seq, NULL::xid8 AS horizon
FROM (
    SELECT vendor_id, kind, name, used_until, former_of FROM registry_vendor_names
    ORDER BY vendor_id, recorded
) n
UNION ALL
SELECT NULL, NULL, NULL, NULL, NULL, c.xid, c.seq, NULL FROM registry_changes c, h
WHERE c.xid >= h.horizon AND c.kind = 'identity'
UNION ALL
SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, h.horizon FROM h"""

_CHANGES = """
SELECT h.horizon, c.xid, c.seq, c.vendor_id
FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS horizon) h
LEFT JOIN registry_changes c ON c.xid >= $1::xid8 AND c.kind = 'identity'"""

_NAMES_OF = """
SELECT vendor_id, kind, name, used_until, former_of FROM registry_vendor_names
WHERE vendor_id = ANY($1::text[]) ORDER BY vendor_id, recorded"""


@dataclass(frozen=True)
class _Position:
    horizon: int  # every identity change with a lower xid is applied
    applied: frozenset[tuple[int, int]]  # (xid, seq) of the changes applied at or above it


def _by_vendor(
    rows: Iterable[asyncpg.Record], vendor_ids: Iterable[str] = ()
) -> dict[str, list[NameCandidate]]:
    """Names by vendor, in the rows' order; `vendor_ids` without a row get none (gone)."""
    names: dict[str, list[NameCandidate]] = {v: [] for v in vendor_ids}
    for r in rows:
        was = r["former_of"]
        names.setdefault(r["vendor_id"], []).append(
            NameCandidate(
                r["vendor_id"],
                NameKind(r["kind"]),
                r["name"],
                r["used_until"],
                NameKind(was) if was else None,
            )
        )
    return names


def _built(names: Mapping[str, Sequence[NameCandidate]]) -> NameIndex:
    index = NameIndex()
    index.replace_vendors(names)
    return index


class LiveNameIndex:
    """Searches the registry's vendor names from memory; see the module docstring."""

    def __init__(self) -> None:
        self._index: NameIndex | None = None
        self._position = _Position(0, frozenset())
        self._refreshing = asyncio.Lock()  # one refresh at a time
        self._last_began = 0.0  # time.monotonic() when the last successful refresh began
        self._guard = threading.Lock()  # the index itself is not thread-safe

    @property
    def position(self) -> tuple[int, int]:
        """(horizon, changes applied at or above it): for tests and metrics."""
        return self._position.horizon, len(self._position.applied)

    async def search(self, conn: Connection, text: str, limit: int) -> list[SearchHit]:
        """`NameIndex.search` once the index has caught up with the feed, on `conn` (held
        meanwhile: the API uses `refresh_from` and `search_as_is` so as not to)."""
        await self.refresh(conn)
        return await self.search_as_is(text, limit)

    async def search_as_is(self, text: str, limit: int) -> list[SearchHit]:
        """`NameIndex.search` on the index as it stands (refreshed at least once), in a worker
        thread (ValueError for a query it refuses, as `search.rank`)."""
        index = self._index
        if index is None:
            raise RuntimeError("the name index is searched before it was ever refreshed")
        return await self._off_loop(partial(index.search, text, limit=limit))

    async def names_of(self, vendor_ids: Iterable[str]) -> dict[str, list[NameCandidate]]:
        """The indexed names of these vendors (refreshed at least once), read in a worker
        thread holding the index: a screening matches against a part of the registry."""
        index = self._index
        if index is None:
            raise RuntimeError("the name index is read before it was ever refreshed")
        wanted = list(vendor_ids)
        return await self._off_loop(lambda: {v: index.names_of(v) for v in wanted})

    async def beside(self, work: Callable[[], Result]) -> Result:
        """`work()` in the index's worker threads without holding the index: CPU work of
        the name matching that must not run on the event loop nor hold up refreshes."""
        return await self._off_loop(work, guarded=False)

    async def refresh(self, conn: Connection) -> None:
        """Builds the index, or applies the identity changes committed since the last time."""
        async with self._refreshing:
            await self._refresh(conn)

    async def refresh_from(self, pool: asyncpg.Pool) -> None:
        """As `refresh`, taking a connection only once its turn comes (searches waiting for a
        refresh hold none), and not at all when a refresh that began after this call has
        completed meanwhile: concurrent searches share one."""
        asked = time.monotonic()
        async with self._refreshing:
            if self._index is not None and self._last_began > asked:
                return
            async with pool.acquire() as conn:
                await self._refresh(conn)

    async def follow(self, pool: asyncpg.Pool, live: Liveness) -> None:
        """Refreshes every REFRESH_SECONDS until cancelled; a failure (database away) is
        retried, and reported on `live`."""
        while True:
            await until_done(partial(self.refresh_from, pool), "name index", live)
            await asyncio.sleep(REFRESH_SECONDS)

    async def _refresh(self, conn: Connection) -> None:
        began = time.monotonic()
        if self._index is None:
            await self._build(conn)
        else:
            await self._catch_up(conn, self._index)
        self._last_began = began  # only once it succeeded: a failed one caught nothing up

    async def _build(self, conn: Connection) -> None:
        rows: list[asyncpg.Record] = []
        # A cursor's query reads one snapshot, like one statement; fetched in pages so that
        # decoding 200,000 rows does not hold the event loop for a long stretch at once.
        async with conn.transaction():
            cursor = await conn.cursor(_ALL_NAMES)
            while page := await cursor.fetch(_PAGE_ROWS):
                rows += page
        horizon = next(r["horizon"] for r in rows if r["horizon"] is not None)
        applied = frozenset((r["xid"], r["seq"]) for r in rows if r["xid"] is not None)
        names = [r for r in rows if r["vendor_id"] is not None]
        # A new index, swapped in when complete: searches use the old one meanwhile.
        self._index = await self._off_loop(lambda: _built(_by_vendor(names)), guarded=False)
        self._position = _Position(horizon, applied)

    async def _catch_up(self, conn: Connection, index: NameIndex) -> None:
        rows = await conn.fetch(_CHANGES, self._position.horizon)
        horizon = max(self._position.horizon, rows[0]["horizon"])
        seen = [r for r in rows if r["xid"] is not None]
        new = [r for r in seen if (r["xid"], r["seq"]) not in self._position.applied]
        changed = sorted({r["vendor_id"] for r in new})
        if len(changed) > REBUILD_ABOVE:
            await self._build(conn)
            return
        if changed:
            # Read after the feed: at least as new as the changes seen, maybe newer (a newer
            # change is then applied twice, which replaces the names by the same names).
            names = _by_vendor(await conn.fetch(_NAMES_OF, changed), changed)
            await self._off_loop(partial(index.replace_vendors, names))
        self._position = _Position(
            horizon,
            frozenset((r["xid"], r["seq"]) for r in seen if r["xid"] >= horizon),
        )

    async def _off_loop(self, work: Callable[[], Result], *, guarded: bool = True) -> Result:
        """`work()` in one of this module's threads; `guarded`: holding the index's lock."""

        def run() -> Result:
            if not guarded:
                return work()
            with self._guard:
                return work()

        return await asyncio.get_running_loop().run_in_executor(_THREADS, run)
