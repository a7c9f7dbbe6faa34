"""CPU work on a batch, kept off the event loop once the batch is more than a few items:
parsing a batch of events takes long enough to delay every other request and consumer."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Below this, a thread costs more than the work.
INLINE_ITEMS = 20


async def for_batch(work: Callable[[Sequence[Item]], Result], items: Sequence[Item]) -> Result:
    """`work(items)`, in a worker thread for a batch larger than INLINE_ITEMS."""
    if len(items) > INLINE_ITEMS:
        return await asyncio.to_thread(work, items)
    return work(items)
