"""A least-recently-used cache bounded by what it holds, not only by how many entries.

A cache of request texts bounded by a count alone is bounded by the largest text times that
count: the API's caches of GraphQL documents held 1,024 entries each, so distinct documents of
a few megabytes each (a query padded with a comment) pinned gigabytes. Here each entry comes
with its weight (about the bytes it keeps alive), and the oldest entries go out while the total
is over the budget; an entry heavier than the whole budget is not kept at all.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


class WeighedCache(Generic[Key, Value]):
    """At most `entries` entries weighing `budget` in all, least recently used out first."""

    def __init__(self, entries: int, budget: int) -> None:
        self.entries, self.budget = entries, budget
        self._kept: OrderedDict[Key, tuple[Value, int]] = OrderedDict()
        self._held = 0

    @property
    def held(self) -> int:
        """The total weight of what is kept."""
        return self._held

    def __len__(self) -> int:
        return len(self._kept)

    def get(self, key: Key) -> Value | None:
        found = self._kept.get(key)
        if found is None:
            return None
        self._kept.move_to_end(key)
        return found[0]

    def put(self, key: Key, value: Value, weight: int) -> None:
        """Keeps `value` under `key` (replacing what was), unless it weighs more than the
        whole budget; then makes room."""
        self._drop(key)
        if weight > self.budget:
            return
        self._kept[key] = (value, weight)
        self._held += weight
        while self._held > self.budget or len(self._kept) > self.entries:
            _, (_, gone) = self._kept.popitem(last=False)
            self._held -= gone

    def _drop(self, key: Key) -> None:
        found = self._kept.pop(key, None)
        if found is not None:
            self._held -= found[1]
