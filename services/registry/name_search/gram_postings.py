"""A name index's gram posting lists as numpy arrays, to count a query's shared grams in a
few numpy calls (pure, no I/O).

`NameIndex.candidates` counts them with a `Counter` over the posting lists and then walks
every name counted in Python: a few milliseconds a query against the barred vendors' few
thousand names (their common grams are in hundreds of names each), which a list of 5,000
bidders' names multiplies into most of its screening time. Here the lists are concatenated
and counted by `bincount` into one array over the index's names, and the names reaching the
bar are picked by array comparisons: the same integers, tens of microseconds. The arrays are
copies, so the index's own lists can still grow (an `array` exporting its buffer cannot).

A single search (`NameIndex.candidates`) counts only the names in its rarer grams' lists
(`shared_grams`), by sorting their ids: its work then follows those lists, not the width.
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["GramPostings", "Ints", "shared_grams"]

Ints = npt.NDArray[np.int64]

_NONE: Ints = np.zeros(0, np.int64)


@dataclass(frozen=True, slots=True)
class GramPostings:
    """Every gram's posting list (ids of the names holding it), and how many ids there are."""

    lists: Mapping[str, Ints]
    width: int  # every id is below this

    @classmethod
    def of(cls, postings: Mapping[str, array[int]], width: int) -> GramPostings:
        return cls({gram: np.array(ids, np.int64) for gram, ids in postings.items()}, width)

    def counts(self, grams: Sequence[str]) -> Ints:
        """How many of these grams (a gram as often as given) each name holds, by id."""
        lists = [self.lists.get(gram, _NONE) for gram in grams]
        ids = np.concatenate(lists) if lists else _NONE
        return np.bincount(ids, minlength=self.width)


def shared_grams(
    read: array[int], frequent: Sequence[tuple[npt.NDArray[np.bool_], int]]
) -> tuple[Ints, Ints]:
    """The names in the lists read (their ids one after the other, typecode "q"), ascending,
    and how many grams each shares: one per time it is read (a list read twice counts twice),
    plus a frequent gram's weight for the names its mask (by id) says hold it, so that a gram
    in most names costs what the names counted cost, not its list's length."""
    if not read:
        return _NONE, _NONE
    ids = np.sort(np.frombuffer(read, np.int64))
    # np.unique(return_counts=True) by hand: its wrappers cost more than the sort here.
    first = np.empty(len(ids), np.bool_)
    first[0] = True
    np.not_equal(ids[1:], ids[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    counts = np.empty(len(starts), np.int64)
    counts[:-1] = starts[1:] - starts[:-1]
    counts[-1] = len(ids) - starts[-1]
    names = ids[starts]
    for holding, weight in frequent:
        counts += weight * holding[names]
    return names, counts
