"""Streamed answers that fail before they start, not halfway: an HTTP response streamed from
the database has sent its status before the first read, so a database out of reach then cut
it short (an incomplete body) where it could have been refused with a status."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TypeVar

T = TypeVar("T")


async def primed(items: AsyncIterator[T]) -> AsyncIterator[T]:
    """`items` with its first one read already: what fails before the first (the database
    out of reach) fails the caller, before any response is under way."""
    try:
        first = await anext(items)
    except StopAsyncIteration:
        return _none()
    return _after(first, items)


async def _none() -> AsyncIterator[T]:
    return
    yield  # an async generator that yields nothing


async def _after(first: T, rest: AsyncIterator[T]) -> AsyncIterator[T]:
    yield first
    async for item in rest:
        yield item
