"""DataLoaders, one set per request: a field asked of many parents (each vendor's contracts
on a page of vendors) is answered with one query for all of them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Mapping
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from services.platform.graphql.context import Info
from services.platform.postgres.database import Connection

Value = TypeVar("Value")
Fetch = Callable[[Connection, list[str]], Awaitable[Mapping[Any, Value]]]


def batched(
    info: Info, key: Hashable, fetch: Fetch[Value], missing: Value
) -> DataLoader[str, Value]:
    """The request's loader for `key` (a field and its arguments): ids asked of it in one tick
    of the event loop are fetched together; an id `fetch` does not answer gets `missing`."""
    loaders = info.context.loaders
    if key not in loaders:

        async def load(ids: list[str]) -> list[Value]:
            async with info.context.pool.acquire() as conn:
                found = await fetch(conn, list(ids))
            return [found.get(i, missing) for i in ids]

        # No cache: a WebSocket keeps its context for hours, and answers must stay fresh.
        loaders[key] = DataLoader(load_fn=load, cache=False)
    loader: DataLoader[str, Value] = loaders[key]
    return loader
