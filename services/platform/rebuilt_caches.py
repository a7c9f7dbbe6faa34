"""The process's caches that a rebuild can leave answering from what it replaced.

Most caches of a process are keyed by what cannot change: an event by its content hash, a
GraphQL document by its text, a pure function by its arguments. A few are keyed by what a
rebuild keeps while changing what it stands for: a sanction row by its event and recording
time (the registry's timelines), a vendor's factors by digests that follow the events folded
(the risk service's factor memo). `vendorwatch rebuild` replays the log in a process of its
own, maybe under another policy or from a log edited since (`--force`); its commit is
announced (consuming/rebuilt_notices.py), and every long-running process then forgets the
caches registered here, so that its answers agree with the rebuilt tables at once.
"""

from __future__ import annotations

import weakref
from typing import Protocol, TypeVar


class Forgettable(Protocol):
    def clear(self) -> None:
        """Forgets everything kept: the next look-up computes again from the tables."""


Cache = TypeVar("Cache", bound=Forgettable)

# Held weakly: a service made per test, or per rebuild, leaves with its caches.
_CACHES: weakref.WeakSet[Forgettable] = weakref.WeakSet()


def forgotten_after_rebuilds(cache: Cache) -> Cache:
    """Registers `cache` to be cleared whenever a rebuild commits; returns it."""
    _CACHES.add(cache)
    return cache


def forget_rebuilt() -> None:
    """Clears every registered cache (a rebuild committed, or may have unheard)."""
    for cache in list(_CACHES):  # a copy: a cache may be collected meanwhile
        cache.clear()
