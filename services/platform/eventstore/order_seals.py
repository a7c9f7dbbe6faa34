"""The seals of the orders consumers recorded, as pure functions, the SQL that writes them,
and a walk.

A rebuild applies events again in the order live processing recorded applying them
(platform/consuming/applied_order.py): the registry's and migration's claims (`claim_order`),
risk's own record (`risk_events.seq`, whose cross-vendor order its totals of critical contracts
depend on). That order is part of the log of record: an edited, removed, inserted or reordered
row would have a rebuild judge or score otherwise. Each (consumer, partition of the event) is
a chain of blocks, one per batch that recorded events of that partition: the block's last row
carries its seal, over the seal before it and the block's rows in seq order (which covers each
row's seq, so a swap across partitions shows too), and the chain's head (`claim_order_heads`,
every recorded order's) its last seal. The statement recording a batch writes them (`sealing`:
the claim's, platform/consuming/ledger_claims.py, and risk's `add_events`), and each order's
migration for rows written before (platform's 0009_sealed_claim_order.sql, risk's
0013_sealed_order.sql); all must stay equal to what `OrderWalk` computes. A block, not a
row, is the unit: one hash per batch and partition, no per-row chaining in a statement that
every batch runs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from services.platform.eventstore import chain

GENESIS = chain.GENESIS


def sealing(
    *, consumer: str, events: str, partitions: str, seqs: str, recording: str, among: str
) -> str:
    """The CTEs that number a batch's rows of a recorded order and seal them, for a statement
    that then inserts them: `heads` (the batch's partitions' heads, locked to the commit as an
    append locks its partitions' heads: two batches of one partition take turns from here on,
    others go on), `numbered` (seq, event_id, partition: seqs drawn from the sequence `seqs`
    once the heads are locked, in the batch's order, so that along a partition seq order is
    the order of the seals), `sealed` (each partition's block: its last seq and its seal) and
    `moved` (the heads, at the blocks' ends). The insert writes each row of `numbered` with
    the seal `sealed` gives its seq (none for the others). Arguments are SQL: `consumer` a
    text, `events` and `partitions` the batch's event ids and their partitions (arrays of
    one length), `recording` whether the batch records its order at all (else nothing is
    locked nor numbered), `among` which of its events it records (a condition on
    `t.event_id`)."""
    return f"""heads AS (
               SELECT partition, seal FROM claim_order_heads
               WHERE {recording} AND consumer = {consumer} AND partition = ANY({partitions})
               ORDER BY partition FOR UPDATE
           ), numbered AS (
               SELECT nextval('{seqs}') AS seq, o.event_id, o.partition
               FROM (SELECT t.event_id, t.partition
                     FROM unnest({events}, {partitions})
                         WITH ORDINALITY AS t(event_id, partition, n)
                     WHERE {recording} AND ({among}) AND (SELECT count(*) FROM heads) >= 0
                     ORDER BY n) o
           ), sealed AS (
               SELECT n.partition, max(n.seq) AS seq,
                      encode(sha256(convert_to(concat_ws('|',
                          coalesce(h.seal, repeat('0', 64)), {consumer}, n.partition,
                          string_agg(n.seq || ':' || n.event_id, ',' ORDER BY n.seq)), 'UTF8')),
                          'hex') AS seal
               FROM numbered n LEFT JOIN heads h USING (partition)
               GROUP BY n.partition, h.seal
           ), moved AS (
               INSERT INTO claim_order_heads (consumer, partition, seq, seal)
               SELECT {consumer}, partition, seq, seal FROM sealed
               ON CONFLICT (consumer, partition) DO UPDATE
               SET seq = EXCLUDED.seq, seal = EXCLUDED.seal
           )"""


# The ways a chain's open block may stand that one walk holds: its rows as logged, and with
# rows whose events left the log (of no known partition) taken in or not, one way more per
# such row and way (2**5: five such rows within one block are told apart exactly; past that,
# the newest are tried first, and a block whose rows are not among the ways held is named).
MAX_WAYS = 32


@dataclass
class _Block:
    """Rows since a chain's last seal, as their seal so far, their first row and number."""

    first: tuple[int, str] | None = None
    rows: int = 0
    digest: hashlib._Hash = field(default_factory=hashlib.sha256, repr=False)

    def add(self, opening: str, seq: int, event_id: str) -> None:
        """The row (seq, event_id) after the rows so far; `opening`: what a block's seal
        hashes before its first row (the seal before it, the consumer, the partition)."""
        if self.first is None:
            self.first = (seq, event_id)
            self.digest = hashlib.sha256(f"{opening}{_row(seq, event_id)}".encode())
        else:
            self.digest.update(f",{_row(seq, event_id)}".encode())
        self.rows += 1

    def copy(self) -> _Block:
        return _Block(self.first, self.rows, self.digest.copy())


@dataclass
class OrderWalk:
    """One (consumer, partition) chain's walk, in seq order; `problem` is the first found,
    as (where, what). The rows since the last seal are held as their seal so far (sha256
    over the seal before, the consumer, the partition and their `seq:event_id` list, as
    `sealing` writes it), with the first row and their number: rows inserted after the last
    seal may be any number, and the walk holds none of them.

    A row whose event is no longer in the log has no partition to be walked in: it may be
    any chain's. Left out, the block it was in no longer matched its seal, and the order was
    named as edited where the log's removal explained it all. So each chain also holds the
    ways its open block would stand with such rows in it (`blocks`, the first: as logged),
    and a seal any of them matches closes the block."""

    consumer: str
    partition: int
    seq: int = 0  # the last sealed row's
    link: str = GENESIS
    problem: tuple[str, str] | None = None
    blocks: list[_Block] = field(default_factory=lambda: [_Block()])

    def check(self, seq: int, event_id: str, sealed: str | None) -> None:
        if self.problem is not None:
            return
        opening = self._opening()
        for block in self.blocks:
            block.add(opening, seq, event_id)
        if sealed is None:
            return
        if any(block.digest.hexdigest() == sealed for block in self.blocks):
            self._closed(seq, sealed)
            return
        first = self.blocks[0].first
        assert first is not None  # a row was just added to it
        self.problem = (
            self._where(first),
            f"the rows from here to order row {seq} no longer match their seal: rows were"
            " edited, removed, inserted or reordered",
        )

    def may_hold_unlogged(self, seq: int, event_id: str) -> None:
        """A row without a seal whose event is no longer in the log (of no known partition):
        the open block is held both with it and without it."""
        if self.problem is not None:
            return
        taken = [block.copy() for block in self.blocks]
        for block in taken:
            block.add(self._opening(), seq, event_id)
        self.blocks = [self.blocks[0], *taken, *self.blocks[1:]][:MAX_WAYS]

    def sealed_by_unlogged(self, seq: int, event_id: str, sealed: str) -> bool:
        """Whether a sealed row whose event is no longer in the log (so of no known
        partition) ends this chain's block: if so, the block is closed by it. Its event was
        removed from the log, not the order (the ledgers' check names such rows); left out,
        the rows before it read as rows inserted past the last seal."""
        if self.problem is not None:
            return False
        for block in self.blocks:
            ended = block.copy()
            ended.add(self._opening(), seq, event_id)
            if ended.digest.hexdigest() == sealed:
                self._closed(seq, sealed)
                return True
        return False

    def _opening(self) -> str:
        """What a block's seal hashes before its first row."""
        return f"{self.link}|{self.consumer}|{self.partition}|"

    def _closed(self, seq: int, sealed: str) -> None:
        self.seq, self.link, self.blocks = seq, sealed, [_Block()]

    def end(self, head: tuple[int, str]) -> None:
        """After the chain's last row: the head records its last seal. Rows of events no
        longer in the log after it are left to the ledgers' check, as they stand."""
        if self.problem is not None:
            return
        logged = self.blocks[0]
        if logged.first is not None:
            self.problem = (
                self._where(logged.first),
                f"it and the {logged.rows - 1} row(s) after it are not sealed as they stand:"
                " rows were inserted after the last sealed one, or the row sealing them was"
                " removed",
            )
        elif head != (self.seq, self.link):
            self.problem = (
                f"recorded order of {self.consumer}, partition {self.partition}",
                f"its head records order row {self.seq}, where the sealed order ends, but not"
                " that row's seal: the last block was replaced, or the head was changed"
                if head[0] == self.seq
                else f"the sealed order ends at order row {self.seq} but its head records"
                f" order row {head[0]}: rows were removed from its end, or the head was changed",
            )

    def _where(self, row: tuple[int, str]) -> str:
        seq, event_id = row
        return (
            f"recorded order of {self.consumer}, partition {self.partition}, order row {seq}"
            f" (event {event_id})"
        )


def _row(seq: int, event_id: str) -> str:
    """A row as a block's seal lists it (`sealing`'s `seq:event_id`)."""
    return f"{seq}:{event_id}"
