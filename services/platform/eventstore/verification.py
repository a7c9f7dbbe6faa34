"""Walking the event store's hash chains, and the consumers' ledgers against the log.

What a database owner could do past the append-only trigger (edit a payload or a column, the
time the log recorded an event or the version of its link, delete, insert or swap rows) shows
here as the first event of a partition that no longer matches its chain. The check streams: a
bounded number of rows in memory, the hashing in a worker thread while the next rows come.
Processes with other work to do have a child process walk (walk_beside.py): a thread still
takes the interpreter in turns with the loop.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field

import asyncpg

from services.events.catalog import EventRejected, parse_stored
from services.platform.eventstore import chain, ledger_checks, order_pages, walked_heads
from services.platform.eventstore.event_store import content_hash
from services.platform.eventstore.walked_heads import KeptHeads
from services.platform.postgres.database import Connection
from services.platform.postgres.index_order import along_indexes

# Rows of a partition read, and checked, at a time.
PAGE = 2000
# A partition's rows in seq order: the first page (any seq: a row moved to a negative seq is
# still read), and those after seq $2. Each is read along the (partition, seq) key.
_ROWS = """SELECT position, event_id, event_type, vendor_id, occurred_at,
                  envelope::text AS envelope, content_hash, seq, chain_hash, chain_version,
                  recorded_at
           FROM event_store WHERE partition = $1"""
_FIRST_PAGE = f"{_ROWS} ORDER BY seq LIMIT {PAGE}"
_NEXT_PAGE = f"{_ROWS} AND seq > $2 ORDER BY seq LIMIT {PAGE}"
# The stored row's columns that repeat a field of its envelope (compared as instants, for
# `occurred_at`: the column is in UTC, the envelope in its producer's offset).
_COPIED_COLUMNS = ("event_id", "event_type", "vendor_id", "occurred_at")
# Rows outside the chains' partitions, by partition: no append writes there (and platform
# migration 0016 refuses them), so no chain covers them, while the API's readers by vendor,
# by subject and by event id read them as any. Each half read along the (partition, seq)
# key, the sort it asks for off (`along_indexes`): only such rows are read, whatever the
# store's size and its statistics.
_OUTSIDE = """SELECT partition, count(*) AS rows, min(seq) AS first,
                     min(event_id::text) AS example
              FROM ((SELECT partition, seq, event_id FROM event_store
                     WHERE partition < 0 ORDER BY partition, seq)
                    UNION ALL
                    (SELECT partition, seq, event_id FROM event_store
                     WHERE partition >= $1 ORDER BY partition, seq)) r
              GROUP BY partition ORDER BY partition"""


@dataclass(frozen=True)
class Problem:
    """The first event of a partition that no longer matches its chain, or a ledger problem."""

    # "partition 3, seq 17 (position 120, event …)", "ledger of risk" or "recorded order of
    # registry, partition 2, seq 40 (event …)"
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


@dataclass(frozen=True)
class Verification:
    events: int
    # What the log and the deployment's own records say: its chains, its recorded walks'
    # heads, its ledgers and orders. `intact` and what is recorded for /healthz.
    problems: tuple[Problem, ...]
    # partition → its last event's seq and chain hash: what an auditor records elsewhere
    heads: dict[int, tuple[int, str]] = field(default_factory=dict)
    checked_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    # Heads an auditor gave (`verify --heads`) no longer on the chain: the auditor's to judge,
    # apart from `problems`, since only the auditor can say the file is the one they kept.
    kept_lost: tuple[Problem, ...] = ()

    @property
    def intact(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class _Unlinked:
    """A row that matches its content and columns but not its own link. The row after it (or
    the head, after the last) was linked to its chain hash when it was appended: if that link
    still holds, the chain hash is as recorded and one of the row's own inputs was changed;
    if not, the chain was rewritten from here (a row moved out of its place carries its old
    link along)."""

    where: str
    version: int

    def settled(self, followed: bool, *, by_head: bool = False) -> Problem:
        """`followed`: whether the row after it (`by_head`: the partition's head, when it is
        the last) still records its chain hash."""
        if not followed:
            return Problem(
                self.where,
                "it does not follow the event before it: rows were inserted, removed or reordered",
            )
        if self.version == 1:  # its recorded_at is not in its link
            changed = "its content was changed after it was recorded, with its content_hash"
        else:
            changed = (
                "its recorded_at was changed after it was recorded (or its content, with its"
                " content_hash)"
            )
        # The last row has no event after it: the head, which records its chain hash, does.
        follower = (
            "the partition's head still records it"
            if by_head
            else "the event after it still follows it"
        )
        return Problem(self.where, f"{changed}: {follower}, but its own link no longer holds")


@dataclass
class _Walk:
    """One partition's walk: where the chain stands after the rows seen so far."""

    partition: int
    seq: int = 0
    link: str = chain.GENESIS
    position: int = 0  # the last row's: positions are handed out under the head's lock
    problem: Problem | None = None
    unlinked: _Unlinked | None = None  # the last row, if its own link fails: the next settles it

    def check(self, rows: Sequence[asyncpg.Record]) -> None:
        for row in rows:
            if self.unlinked is not None:
                self.problem, self.unlinked = self.unlinked.settled(self._links(row)), None
            if self.problem is not None:
                return
            found = self._mismatch(row)
            if isinstance(found, _Unlinked):
                self.unlinked = found
            else:
                self.problem = found
            self.seq, self.link, self.position = row["seq"], row["chain_hash"], row["position"]

    def end(self, head: tuple[int, str]) -> None:
        """After the partition's last row: the head records its seq and chain hash."""
        if self.unlinked is not None:
            followed = head == (self.seq, self.link)
            self.problem, self.unlinked = self.unlinked.settled(followed, by_head=True), None

    def _links(self, row: asyncpg.Record) -> bool:
        """Whether `row` is linked to the chain as it stands, by its own version's formula."""
        seq: int = row["seq"]
        stored: str = row["chain_hash"]
        return seq == self.seq + 1 and stored == chain.link_of(
            row["chain_version"],
            self.partition,
            seq,
            self.link,
            row["content_hash"],
            row["recorded_at"],
        )

    def _gap(self, seq: int) -> str:
        """What a row at `seq`, not the one after the last row read, says: seqs missing
        before it (from the partition's first, seq 1, when no row came before), or a seq below
        1 (rows are read in seq order, and the first page reads those too)."""
        if seq <= self.seq:
            return (
                f"its seq is {seq}, below 1, where every partition's seqs start: rows were"
                " renumbered"
            )
        first, last = self.seq + 1, seq - 1
        missing = f"seq {first}" if first == last else f"seqs {first} to {last}"
        if self.seq == 0:
            are = "events are" if first != last else "event is"
            return f"the partition's first {are} missing ({missing})"
        return f"follows seq {self.seq}: events are missing before it ({missing})"

    def _mismatch(self, row: asyncpg.Record) -> Problem | _Unlinked | None:
        where = (
            f"partition {self.partition}, seq {row['seq']}"
            f" (position {row['position']}, event {row['event_id']})"
        )
        if row["seq"] != self.seq + 1:
            return Problem(where, self._gap(row["seq"]))
        try:
            envelope = parse_stored(row["envelope"])
        except EventRejected as rejection:
            return Problem(where, f"its content is no longer a valid event: {rejection.reason}")
        content = content_hash(envelope)
        if content != row["content_hash"]:
            return Problem(where, "its content was changed after it was recorded")
        # The columns that copy the envelope, for the indexes readers use: each must still
        # say what the chained content says.
        if changed := [name for name in _COPIED_COLUMNS if row[name] != getattr(envelope, name)]:
            return Problem(where, f"its {' and '.join(changed)} column was changed")
        if chain.partition_of(envelope.vendor_id) != self.partition:
            return Problem(where, "it is not in its vendor's partition: rows were moved")
        if (version := row["chain_version"]) not in chain.VERSIONS:
            return Problem(
                where,
                f"its chain_version {version} is not one this version knows: a newer version"
                " wrote it (upgrade), or the column was changed",
            )
        if not self._links(row):
            # Its chain hash made by another version's formula: only its version changed.
            for other in chain.VERSIONS:
                if other != version and row["chain_hash"] == chain.link_of(
                    other, self.partition, row["seq"], self.link, content, row["recorded_at"]
                ):
                    return Problem(
                        where,
                        f"its chain_version was changed from {other} to {version} after it"
                        " was recorded",
                    )
            return _Unlinked(where, version)
        # Positions are not in the chain, but readers by vendor and the event lists order by
        # them: an append takes its positions under the partition's head lock, so they rise
        # with seq, and a swap of two rows' positions would show events out of chain order.
        if row["position"] <= self.position:
            return Problem(
                where,
                f"its position is not after that of seq {self.seq} ({self.position}):"
                " rows' positions were changed",
            )
        return None


async def verify(
    pool: asyncpg.Pool,
    progress: Callable[[int], None] = lambda _: None,
    kept: KeptHeads | None = None,
) -> Verification:
    """Walks every partition's chain and checks the heads and ledgers, in one snapshot;
    `progress` is told how many more events were checked, page by page. The heads every
    recorded walk saw must still be on the chain, and those `kept` outside the database
    (an earlier `verify`'s) too: those are found apart (`kept_lost`), not as the log's."""
    total = 0
    walks = [_Walk(p) for p in range(chain.PARTITIONS)]
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
        heads = {
            r["partition"]: (r["seq"], r["chain_hash"])
            for r in await conn.fetch("SELECT partition, seq, chain_hash FROM event_chain_heads")
        }
        async with along_indexes(conn):
            for walk in walks:
                async for checked in _checked_pages(conn, walk):
                    total += checked
                    progress(checked)
                walk.end(heads.get(walk.partition, (0, chain.GENESIS)))
            outside = await conn.fetch(_OUTSIDE, chain.PARTITIONS)
            # Counted per partition by hashing, not sorting: as many rows as recorded heads.
            lost = await walked_heads.recorded_lost(conn)
            kept_lost = [] if kept is None else await walked_heads.kept_lost(conn, kept)
        problems = [w.problem for w in walks if w.problem is not None]
        problems += [_outside(row) for row in outside]
        problems += _heads(heads, walks)
        problems += [Problem(*found) for found in lost]
        orders = await order_pages.recorded(conn)
        problems += [Problem(*found) for found in await ledger_checks.unlogged(conn, orders)]
        problems += [Problem(*found) for found in await ledger_checks.unjudged(conn)]
        problems += [Problem(*found) for found in await ledger_checks.offsets_past_heads(conn)]
        problems += [Problem(*found) for found in await order_pages.walked(conn, orders)]
    return Verification(
        total,
        tuple(problems),
        {w.partition: (w.seq, w.link) for w in walks},
        kept_lost=tuple(Problem(*found) for found in kept_lost),
    )


async def _checked_pages(conn: Connection, walk: _Walk) -> AsyncIterator[int]:
    """The walk's partition read in seq order along its (partition, seq) key, `PAGE` rows at
    a time after the last one read, each page checked in a worker thread while the next is
    read; yields how many rows each page held. Two pages held at most, whatever the store's
    size (a cursor over the whole partition had PostgreSQL sort it whole when its estimates
    favoured a bitmap scan)."""
    rows = await conn.fetch(_FIRST_PAGE, walk.partition)
    while rows:
        checking = asyncio.to_thread(walk.check, rows)
        if len(rows) < PAGE:
            await checking
            yield len(rows)
            return
        following, _ = await asyncio.gather(
            conn.fetch(_NEXT_PAGE, walk.partition, rows[-1]["seq"]), checking
        )
        yield len(rows)
        rows = following


def _outside(row: asyncpg.Record) -> Problem:
    return Problem(
        f"partition {row['partition']}",
        f"{row['rows']} row(s) outside the chains' partitions (0 to {chain.PARTITIONS - 1}),"
        f" from seq {row['first']} (e.g. event {row['example']}): no append writes there, so"
        " no chain covers them; they were inserted by hand",
    )


def _heads(heads: dict[int, tuple[int, str]], walks: Sequence[_Walk]) -> list[Problem]:
    """The recorded head of each partition must be its last event: rows deleted from the
    end leave no gap to find, but a head that runs past the chain."""
    problems = []
    for walk in walks:
        seq, link = heads.get(walk.partition, (0, chain.GENESIS))
        if walk.problem is not None or (seq, link) == (walk.seq, walk.link):
            continue
        if seq == walk.seq:
            what = (
                f"its head records seq {seq}, where the chain ends, but not the chain hash of"
                " that last event: the last event was replaced, or the head was changed"
            )
        else:
            what = (
                f"the chain ends at seq {walk.seq} but its head records seq {seq}:"
                " events were removed from its end, or the head was changed"
            )
        problems.append(Problem(f"partition {walk.partition}", what))
    return problems
