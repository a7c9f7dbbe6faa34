"""Python's garbage collector set for processes that hold large state and allocate fast.

At the defaults (a young collection every 700 new containers) the risk consumer spent about
30 % of its CPU in the collector while applying 20,000 events: every young collection walks
the new objects, and every few hundred thousand allocations a full one walks the vendors'
states, memos and indexes the process keeps. Collecting the young generation every 50,000
containers instead cut its CPU by about a fifth (measured side by side, risk alone); memory
stays bounded (cycles are still collected, only in larger steps), and a pause stays short.

At 50,000 a burst of 100,000 events still spent 4.6 s of its 27 s of CPU in the collector
(embedded mode, 2026-12-05): each young collection walked what the new objects point to in
a heap of 1.5 million, 55-75 ms each, and a full one took 1.6 s, the event loop held all
that time. Every 200,000 containers: 0.9 s (tests/benchmarks/HISTORY.md).
"""

from __future__ import annotations

import gc

# Containers allocated between young collections, and how many young (then middle)
# collections make one of the next generation (Python's defaults: 700, 10, 10).
THRESHOLDS = (200_000, 20, 20)


def tune_for_long_runs() -> None:
    """Sets the collector's thresholds for a long-running process (every command runs it)."""
    gc.set_threshold(*THRESHOLDS)
