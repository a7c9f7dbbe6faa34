"""A retried loop's back-off ends once PostgreSQL is heard back, not when its wait runs out."""

from __future__ import annotations

import asyncio
import weakref

import pytest

from services.platform.operations import back_again


@pytest.fixture(autouse=True)
def heard_nothing_yet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with PostgreSQL never heard back (another test of the same event loop
    may have said it was, and for a few seconds every back-off is a moment)."""
    monkeypatch.setattr(back_again, "_back_at", weakref.WeakKeyDictionary())
    monkeypatch.setattr(back_again, "_sleeping", weakref.WeakKeyDictionary())


async def test_a_back_off_under_way_ends_when_postgres_is_heard_back() -> None:
    sleeping = asyncio.create_task(back_again.back_off(60))
    await asyncio.sleep(0.05)
    assert not sleeping.done()
    back_again.reached_again()
    await asyncio.wait_for(sleeping, back_again.JITTER_SECONDS + 5)


async def test_a_failure_just_after_is_retried_within_a_moment_too() -> None:
    back_again.reached_again()
    await asyncio.wait_for(back_again.back_off(60), back_again.JITTER_SECONDS + 5)


async def test_without_news_a_back_off_lasts_its_time() -> None:
    sleeping = asyncio.create_task(back_again.back_off(60))
    await asyncio.sleep(0.2)
    assert not sleeping.done()
    sleeping.cancel()
