"""A recorded order's walk (eventstore/order_seals.OrderWalk) holds the block it is in as
its seal so far, not as its rows: rows inserted after the last seal (a worker of the release
before, still claiming after the upgrade, writes them for as long as it runs) may be any
number, and `verify` names them at the first of them without holding them all."""

from __future__ import annotations

import hashlib
import tracemalloc
import uuid

from services.platform.eventstore.order_seals import GENESIS, MAX_WAYS, OrderWalk

ROWS = 100_000


def _event(seq: int) -> str:
    return str(uuid.UUID(int=seq))


def test_rows_after_the_last_seal_are_named_without_being_held() -> None:
    walk = OrderWalk("registry", 2)
    tracemalloc.start()
    try:
        for seq in range(1, ROWS + 1):
            walk.check(seq, _event(seq), None)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    walk.end((0, GENESIS))

    assert walk.problem == (
        f"recorded order of registry, partition 2, order row 1 (event {_event(1)})",
        f"it and the {ROWS - 1} row(s) after it are not sealed as they stand: rows were"
        " inserted after the last sealed one, or the row sealing them was removed",
    )
    # Holding the rows took 18 MB here (a tuple, an int and a str each).
    assert peak < 100_000, peak


def test_a_block_is_sealed_over_its_rows_in_seq_order_after_the_seal_before() -> None:
    """The seal the claims write in SQL (order_seals.sealing):
    sha256(previous | consumer | partition | seq:event_id,…)."""
    first = hashlib.sha256(f"{GENESIS}|risk|4|1:{_event(1)},3:{_event(3)}".encode()).hexdigest()
    second = hashlib.sha256(f"{first}|risk|4|7:{_event(7)}".encode()).hexdigest()
    walk = OrderWalk("risk", 4)
    walk.check(1, _event(1), None)
    walk.check(3, _event(3), first)
    walk.check(7, _event(7), second)
    walk.end((7, second))
    assert walk.problem is None and (walk.seq, walk.link) == (7, second)

    swapped = OrderWalk("risk", 4)
    swapped.check(1, _event(3), None)
    swapped.check(3, _event(1), first)
    assert swapped.problem is not None
    assert swapped.problem[0] == (
        f"recorded order of risk, partition 4, order row 1 (event {_event(3)})"
    )


def test_a_block_ended_by_a_row_whose_event_left_the_log_is_still_sealed() -> None:
    """The row of a removed event has no partition to be walked in; when it carries its
    block's seal, it closes the chain whose rows it seals, instead of those rows being named
    as inserted after the last seal (the ledgers' check names the event missing)."""
    sealed = hashlib.sha256(f"{GENESIS}|registry|2|1:{_event(1)},2:{_event(2)}".encode())
    walk = OrderWalk("registry", 2)
    walk.check(1, _event(1), None)
    other = OrderWalk("registry", 3)
    assert not other.sealed_by_unlogged(2, _event(2), sealed.hexdigest())
    assert walk.sealed_by_unlogged(2, _event(2), sealed.hexdigest())
    walk.end((2, sealed.hexdigest()))
    assert walk.problem is None

    alone = hashlib.sha256(f"{GENESIS}|risk|4|5:{_event(5)}".encode()).hexdigest()
    assert OrderWalk("risk", 4).sealed_by_unlogged(5, _event(5), alone)


def test_a_block_holding_a_row_whose_event_left_the_log_still_matches_its_seal() -> None:
    """The row of a removed event, not the one carrying the seal, may be any chain's: each
    holds its block with it and without it, and the seal settles which (left out, the block
    was named as edited: rows removed from the order, where only the event left the log)."""
    sealed = hashlib.sha256(
        f"{GENESIS}|registry|2|1:{_event(1)},2:{_event(2)},4:{_event(4)}".encode()
    ).hexdigest()
    other = hashlib.sha256(f"{GENESIS}|registry|3|3:{_event(3)}".encode()).hexdigest()
    walk, beside = OrderWalk("registry", 2), OrderWalk("registry", 3)
    walk.check(1, _event(1), None)
    for chain_walk in (walk, beside):
        chain_walk.may_hold_unlogged(2, _event(2))
    beside.check(3, _event(3), other)
    walk.check(4, _event(4), sealed)
    walk.end((4, sealed))
    beside.end((3, other))
    assert walk.problem is None and beside.problem is None
    assert (walk.seq, walk.link) == (4, sealed)

    # A row removed from the order itself still breaks its block.
    removed = OrderWalk("registry", 2)
    removed.check(1, _event(1), None)
    removed.check(4, _event(4), sealed)
    assert removed.problem is not None and removed.problem[0].endswith(f"(event {_event(1)})")


def test_the_ways_a_block_may_stand_are_bounded() -> None:
    """However many rows of removed events come, a chain holds a bounded number of ways."""
    walk = OrderWalk("risk", 1)
    walk.check(1, _event(1), None)
    for seq in range(2, 1002):
        walk.may_hold_unlogged(seq, _event(seq))
    assert len(walk.blocks) == MAX_WAYS
    walk.end((0, GENESIS))
    assert walk.problem is not None and "it and the 0 row(s) after it" in walk.problem[1]
