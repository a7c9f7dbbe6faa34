"""A name index's gram posting lists as numpy arrays, to count a query's shared grams in a
few numpy calls (pure, no I/O).

`NameIndex.candidates` counts them with a `Counter` over the posting lists and then walks
every name counted in Python: a few milliseconds a query against the barred vendors' few
thousand names (their common grams are in hundreds of names each), which a list of 5,000
bidders' names multiplies into most of its screening time. Here the lists are concatenated
and counted by `bincount` into one array over the index's names, and the names reaching the
bar are picked by array comparisons: the same integers, tens of microseconds. The arrays are
copies, so the index's own lists can still grow (an `array` exporting its buffer cannot).

A single search (`NameIndex.candidates`) reads the index's lists in place instead (`as_ids`,
no copy), under the lock that keeps changes out meanwhile, and counts only the names in its
rarer grams' lists (`shared_grams`): a query's work then follows those lists, not the width.
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["GramPostings", "Ints", "as_ids", "shared_grams"]

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


def as_ids(postings: array[int] | None) -> Ints:
    """A posting list (typecode "q") as a numpy array over the same memory. While the view
    lives the list cannot grow (BufferError): only for a caller that holds the index."""
    return np.frombuffer(postings, np.int64) if postings else _NONE


def shared_grams(
    read: Sequence[Ints], frequent: Sequence[tuple[npt.NDArray[np.bool_], int]]
) -> tuple[Ints, Ints]:
    """The names in the lists read (ascending ids) and how many grams each shares: one per
    list it is in (a list given twice counts twice), plus a frequent gram's weight for the
    names its mask (by id) says hold it, so that a gram in most names costs what the names
    counted cost, not its list's length."""
    names, counts = np.unique(np.concatenate(read) if read else _NONE, return_counts=True)
    for holding, weight in frequent:
        counts += weight * holding[names]
    return names, counts
