"""A name index's gram posting lists as numpy arrays, to count a query's shared grams in a
few numpy calls (pure, no I/O).

`NameIndex.candidates` counts them with a `Counter` over the posting lists and then walks
every name counted in Python: a few milliseconds a query against the barred vendors' few
thousand names (their common grams are in hundreds of names each), which a list of 5,000
bidders' names multiplies into most of its screening time. Here the lists are concatenated
and counted by `bincount` into one array over the index's names, and the names reaching the
bar are picked by array comparisons: the same integers, tens of microseconds. The arrays are
copies, so the index's own lists can still grow (an `array` exporting its buffer cannot).
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["GramPostings", "Ints"]

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
