"""The seals of the orders consumers recorded (`claim_order`), as pure functions and a walk.

A rebuild judges the registry's (and migration's) events again in the order their claims
recorded (platform/consuming/applied_order.py), so that order is part of the log of record:
an edited, removed, inserted or reordered row would have a rebuild judge otherwise. Each
(consumer, partition of the event) is a chain of blocks, one per batch that claimed events of
that partition: the block's last row carries its seal, over the seal before it and the
block's rows in seq order (which covers each row's seq, so a swap across partitions shows
too). The claim statement writes it in SQL (platform/consuming/consumer.py `_claim`), and
migrations/0009_sealed_claim_order.sql for rows written before; the three must stay equal.
A block, not a row, is the unit: one hash per batch and partition, no per-row chaining in
the claim statement that every batch runs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from services.platform.eventstore import chain

GENESIS = chain.GENESIS


def seal(previous: str, consumer: str, partition: int, rows: Sequence[tuple[int, str]]) -> str:
    """The seal of a block: its (seq, event id) rows in seq order, after `previous`."""
    listed = ",".join(f"{seq}:{event_id}" for seq, event_id in rows)
    return hashlib.sha256(f"{previous}|{consumer}|{partition}|{listed}".encode()).hexdigest()


@dataclass
class OrderWalk:
    """One (consumer, partition) chain's walk, in seq order; `problem` is the first found,
    as (where, what)."""

    consumer: str
    partition: int
    seq: int = 0  # the last sealed row's
    link: str = GENESIS
    block: list[tuple[int, str]] = field(default_factory=list)  # rows since the last seal
    problem: tuple[str, str] | None = None

    def check(self, seq: int, event_id: str, sealed: str | None) -> None:
        if self.problem is not None:
            return
        self.block.append((seq, event_id))
        if sealed is None:
            return
        if sealed != seal(self.link, self.consumer, self.partition, self.block):
            self.problem = (
                self._where(),
                f"the rows from here to seq {seq} no longer match their seal: rows were"
                " edited, removed, inserted or reordered",
            )
            return
        self.seq, self.link, self.block = seq, sealed, []

    def end(self, head: tuple[int, str]) -> None:
        """After the chain's last row: the head records its last seal."""
        if self.problem is not None:
            return
        if self.block:
            self.problem = (
                self._where(),
                f"it and the {len(self.block) - 1} row(s) after it are not sealed: rows were"
                " inserted after the last sealed one",
            )
        elif head != (self.seq, self.link):
            self.problem = (
                f"recorded order of {self.consumer}, partition {self.partition}",
                f"the sealed order ends at seq {self.seq} but its head records seq {head[0]}:"
                " rows were removed from its end, or the head was changed",
            )

    def _where(self) -> str:
        seq, event_id = self.block[0]
        return (
            f"recorded order of {self.consumer}, partition {self.partition}, seq {seq}"
            f" (event {event_id})"
        )
