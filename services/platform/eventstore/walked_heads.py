"""Heads seen before, still on the chain: those every intact walk recorded (chain_checks.py),
and those an auditor kept outside the database (`vendorwatch verify --heads FILE`).

A partition's newest events can be removed without a hash computed: its head, the readers'
offsets, the ledgers and the recorded orders set back to the row before, every value read
from the tables. The chain that is left is intact, and so is what verification.py walks. What
a walk saw says otherwise: the row at the seq it saw as the head must still be there with the
chain hash it had. A rewrite of the chain from before that seq, links recomputed, changes that
hash too. One statement each: a probe of the (partition, seq) key per head seen, the failures
counted per partition (no sort, memory that does not grow), and only the earliest walk's
head of each partition that fails read again to name it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from services.platform.eventstore import chain
from services.platform.postgres.database import Connection

# Of heads `h` (partition, seq, chain_hash): the chain hash the log holds at that place, null
# when it holds no row there.
_FOUND = (
    "(SELECT s.chain_hash FROM event_store s WHERE s.partition = h.partition AND s.seq = h.seq)"
)
# Every recorded walk's heads (element p + 1 is partition p's), those of empty partitions
# left out: by partition, how many are no longer on the chain, and the earliest walk's.
_RECORDED = f"""SELECT f.partition, f.lost, v.checked_at, h.seq, h.chain_hash, {_FOUND} AS found
    FROM (SELECT h.partition, count(*) AS lost, min(h.id) AS earliest
          FROM (SELECT v.id, (w.n - 1)::smallint AS partition, w.seq, w.chain_hash
                FROM chain_verifications v
                CROSS JOIN LATERAL unnest(v.head_seqs, v.head_hashes)
                    WITH ORDINALITY AS w(seq, chain_hash, n)
                WHERE v.head_seqs IS NOT NULL AND w.seq > 0) h
          WHERE {_FOUND} IS DISTINCT FROM h.chain_hash
          GROUP BY h.partition) f
    JOIN chain_verifications v ON v.id = f.earliest
    CROSS JOIN LATERAL (SELECT f.partition, v.head_seqs[f.partition + 1] AS seq,
                               v.head_hashes[f.partition + 1] AS chain_hash) h
    ORDER BY f.partition"""
_GIVEN = f"""SELECT h.partition, h.seq, h.chain_hash, {_FOUND} AS found
    FROM unnest($1::smallint[], $2::bigint[], $3::text[]) AS h(partition, seq, chain_hash)
    WHERE h.seq > 0 AND {_FOUND} IS DISTINCT FROM h.chain_hash
    ORDER BY h.partition"""


@dataclass(frozen=True)
class KeptHeads:
    """Heads an auditor kept from an earlier `verify`, and where (as the problems name it)."""

    source: str
    heads: Mapping[int, tuple[int, str]]


class UnreadableHeads(ValueError):
    """Heads given that are not as `verify` prints them."""


# A head as `verify` prints it (cli/commands/event_log.py); numbers of bounded length, which
# `int` takes (it refuses thousands of digits with a ValueError of its own).
_HEAD = re.compile(r"\s*partition (\d{1,9}) seq (\d{1,30}) head ([0-9a-f]{64})\s*")
# The greatest seq: the column is a bigint, which a seq past it would fail to be compared as.
_LAST_SEQ = 2**63 - 1


def read_kept(text: str, source: str) -> KeptHeads:
    """The heads in `text`, an intact `verify`'s output (its first line, and blank lines,
    passed over); raises UnreadableHeads naming the first line that is none."""
    heads: dict[int, tuple[int, str]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or (number == 1 and line.startswith("intact: ")):
            continue
        found = _HEAD.fullmatch(line)
        if found is None or int(found[1]) >= chain.PARTITIONS:
            raise UnreadableHeads(
                f"{source}, line {number}, is not a head as verify prints it"
                f" ('partition N seq S head H', N below {chain.PARTITIONS}): {line[:80]!r}"
            )
        if int(found[2]) > _LAST_SEQ:
            raise UnreadableHeads(
                f"{source}, line {number}, names seq {found[2]}, past any seq of the log"
                f" (at most {_LAST_SEQ}): it is not a head as verify prints it"
            )
        heads[int(found[1])] = (int(found[2]), found[3])
    if not heads:
        raise UnreadableHeads(f"{source} holds no heads: give the output of an intact verify")
    return KeptHeads(source, heads)


async def recorded_lost(conn: Connection) -> list[tuple[str, str]]:
    """Per partition, (where, what) when a head a recorded walk saw is no longer on the
    chain, named by the earliest such walk."""
    rows = await conn.fetch(_RECORDED)
    return [
        (
            f"partition {r['partition']}",
            _lost(
                f"the walk of {_instant(r['checked_at'])} (unless its row was inserted by hand)",
                r["seq"],
                r["chain_hash"],
                r["found"],
            )
            + (f" ({r['lost']} recorded walks saw heads no longer on it)" if r["lost"] > 1 else ""),
        )
        for r in rows
    ]


async def kept_lost(conn: Connection, kept: KeptHeads) -> list[tuple[str, str]]:
    """Per partition, (where, what) when a head of `kept` is no longer on the chain."""
    partitions = sorted(kept.heads)
    rows = await conn.fetch(
        _GIVEN,
        partitions,
        [kept.heads[p][0] for p in partitions],
        [kept.heads[p][1] for p in partitions],
    )
    return [
        (
            f"partition {r['partition']}",
            _lost(f"the heads of {kept.source}", r["seq"], r["chain_hash"], r["found"]),
        )
        for r in rows
    ]


def _lost(since: str, seq: int, seen: str, found: str | None) -> str:
    now = (
        f"the log holds no event at seq {seq}"
        if found is None
        else f"the row at seq {seq} now has chain hash {found}"
    )
    return (
        f"events were removed or rewritten since {since}: its head was seq {seq} with chain"
        f" hash {seen}, and {now}"
    )


def _instant(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="seconds")
