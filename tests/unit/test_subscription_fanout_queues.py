"""A shape's hub never waits for one subscriber's socket: a stalled client delays only itself
and, once too far behind, is let go (its socket then closed with 1013), while the others of
its shape get every message, in order. The hub runs here over a stand-in for strawberry's
stream of results (the real one is exercised in tests/e2e/test_subscription_fanout.py)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from strawberry.types.execution import ExecutionResult

from services.gateway.live import subscription_fanout as fanout


class _Results:
    """The shape's results as strawberry's `schema.stream` would give them; None ends it."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[ExecutionResult | None] = asyncio.Queue()

    async def stream(self, *args: Any, **kwargs: Any) -> AsyncIterator[ExecutionResult]:
        async def results() -> AsyncIterator[ExecutionResult]:
            while (result := await self.queue.get()) is not None:
                yield result

        return results()


class _View:
    def encode_json_string(self, data: object) -> str:
        return json.dumps(data)


@dataclass
class _Subscriber:
    """A subscriber's handler: the frames that reached its socket; a stalled one never drains."""

    schema: _Results
    stalled: bool = False
    frames: list[str] = field(default_factory=list)
    view: _View = field(default_factory=_View)
    context: object = None
    root_value: object = None

    async def send_frame(self, frame: str) -> None:
        if self.stalled:
            await asyncio.Event().wait()
        self.frames.append(frame)

    def frame_writer(self) -> _Writer | None:
        return None  # another server: every frame takes the queue


@dataclass
class _Writer:
    """A connection written to directly; `full` as its buffer is, refusing frames meanwhile."""

    frames: list[str]
    full: bool = False

    def write(self, frame: bytes) -> bool:
        if self.full:
            return False
        header = 2 if frame[1] < 126 else 4  # a short server frame: no mask, 1 or 3 length bytes
        self.frames.append(frame[header:].decode())
        return True


@dataclass
class _Direct(_Subscriber):
    """A subscriber on a connection the hub writes to: both ways land in one list, in order."""

    writer: _Writer | None = None
    blocked: asyncio.Event = field(default_factory=asyncio.Event)

    async def send_frame(self, frame: str) -> None:
        await self.blocked.wait()  # the ASGI way, slower than the direct one
        self.frames.append(frame)

    def frame_writer(self) -> _Writer | None:
        self.writer = _Writer(self.frames)
        return self.writer


@dataclass
class _Operation:
    id: str
    query: str = "subscription { eligibilityChanges { vendorId } }"
    variables: dict[str, object] | None = None
    operation_name: str | None = None
    completed: bool = False


def _change(n: int) -> ExecutionResult:
    return ExecutionResult(data={"eligibilityChanges": {"vendorId": f"v{n}"}}, errors=None)


def _frame(operation_id: str, n: int) -> str:
    payload = json.dumps({"data": {"eligibilityChanges": {"vendorId": f"v{n}"}}})
    return f'{{"id":"{operation_id}","type":"next","payload":{payload}}}'


async def _until(check: Any) -> None:
    """Waits (10 s at most) until `check()` holds of what the stand-ins recorded."""
    for _ in range(1000):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("not within 10 s")


async def test_a_stalled_subscriber_delays_only_itself_and_is_let_go_when_too_far_behind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fanout, "MAX_BEHIND", 5)
    results, hubs = _Results(), fanout.Hubs()
    stalled = _Subscriber(results, stalled=True)
    live = _Subscriber(results)
    follow_stalled = asyncio.create_task(hubs.follow("shape", stalled, _Operation("s")))  # type: ignore[arg-type]
    follow_live = asyncio.create_task(hubs.follow("shape", live, _Operation("l")))  # type: ignore[arg-type]
    await asyncio.sleep(0.05)  # both joined the one hub of their shape

    for n in range(3):
        results.queue.put_nowait(_change(n))
    await _until(lambda: len(live.frames) == 3)
    assert live.frames == [_frame("l", n) for n in range(3)]
    assert not follow_stalled.done()  # behind, not yet too far

    for n in range(3, 12):
        results.queue.put_nowait(_change(n))
    assert await asyncio.wait_for(follow_stalled, 10) is fanout.TOO_SLOW
    await _until(lambda: len(live.frames) == 12)
    assert live.frames == [_frame("l", n) for n in range(12)]

    results.queue.put_nowait(None)  # the stream ends: the live subscriber completes
    assert await asyncio.wait_for(follow_live, 10) is None
    assert stalled.frames == []


async def test_a_subscriber_whose_socket_is_gone_leaves_the_others_their_messages() -> None:
    results, hubs = _Results(), fanout.Hubs()

    class _Closed(_Subscriber):
        async def send_frame(self, frame: str) -> None:
            raise ConnectionResetError("the client went")

    closed, live = _Closed(results), _Subscriber(results)
    follow_closed = asyncio.create_task(hubs.follow("shape", closed, _Operation("c")))  # type: ignore[arg-type]
    follow_live = asyncio.create_task(hubs.follow("shape", live, _Operation("l")))  # type: ignore[arg-type]
    await asyncio.sleep(0.05)
    results.queue.put_nowait(_change(1))
    assert await asyncio.wait_for(follow_closed, 10) is fanout.GONE
    results.queue.put_nowait(_change(2))
    await _until(lambda: len(live.frames) == 2)
    assert live.frames == [_frame("l", 1), _frame("l", 2)]
    results.queue.put_nowait(None)
    assert await asyncio.wait_for(follow_live, 10) is None


async def test_a_burst_longer_than_the_bound_reaches_every_live_subscriber(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An import's thousand announcements arrive at once: a client that reads is not behind.
    monkeypatch.setattr(fanout, "MAX_BEHIND", 5)
    results, hubs = _Results(), fanout.Hubs()
    first, second = _Subscriber(results), _Subscriber(results)
    follows = [
        asyncio.create_task(hubs.follow("shape", s, _Operation(i)))  # type: ignore[arg-type]
        for s, i in ((first, "1"), (second, "2"))
    ]
    await asyncio.sleep(0.05)
    for n in range(40):
        results.queue.put_nowait(_change(n))
    results.queue.put_nowait(None)
    assert await asyncio.wait_for(asyncio.gather(*follows), 10) == [None, None]
    assert first.frames == [_frame("1", n) for n in range(40)]
    assert second.frames == [_frame("2", n) for n in range(40)]


async def test_frames_written_directly_never_overtake_the_ones_waiting_in_the_queue() -> None:
    results, hubs = _Results(), fanout.Hubs()
    subscriber = _Direct(results)
    follow = asyncio.create_task(hubs.follow("shape", subscriber, _Operation("d")))  # type: ignore[arg-type]
    await asyncio.sleep(0.05)
    assert subscriber.writer is not None

    results.queue.put_nowait(_change(0))  # written at once, without the ASGI way
    await _until(lambda: len(subscriber.frames) == 1)

    subscriber.writer.full = True  # its buffer full: queued, the ASGI way waits for it
    results.queue.put_nowait(_change(1))
    await asyncio.sleep(0.05)
    subscriber.writer.full = False
    results.queue.put_nowait(_change(2))  # could be written, but must wait behind the first
    await asyncio.sleep(0.05)
    assert subscriber.frames == [_frame("d", 0)]

    subscriber.blocked.set()
    await _until(lambda: len(subscriber.frames) == 3)
    results.queue.put_nowait(_change(3))  # nothing waits any more: written directly again
    await _until(lambda: len(subscriber.frames) == 4)
    assert subscriber.frames == [_frame("d", n) for n in range(4)]
    results.queue.put_nowait(None)
    assert await asyncio.wait_for(follow, 10) is None
