"""A subscription's `next` messages written once per shape and sent to all its subscribers.

strawberry runs one stream per subscription: for 1,000 subscribers of one change, 1,000
async generators each take the event, run the schema's extension hooks over their result,
build the message and encode it as JSON before the `send`. Subscriptions of one *shape* (the
same document text and operation, the same variables, callers the access rules cannot tell
apart: the same role and agencies, `shared_events.caller`) receive the same results, so they
share one stream here, a *hub*: the hub's stream is strawberry's, run once (with the first
subscriber's context), and each result's payload is encoded once; what differs per subscriber
is the message's `id`, so each frame is the subscriber's own prefix, the shared payload and a
closing brace, the same text strawberry would have written.

Each subscriber keeps its own operation task (the protocol's bookkeeping: `complete` from the
client, the socket's shutdown, the token's expiry closing the socket all cancel it), which
only waits for the hub to end; leaving a hub cancels its stream when no one else is in it.
When the stream ends, each subscriber ends as strawberry's handler would: an error message for
an error before execution (or the socket closed with 4400 for a document that does not parse),
else `complete`. Queries and mutations over the WebSocket, and subscriptions whose variables
are not plain data, run on their own as before.

A hub never waits for a socket. It writes each frame straight to every member's connection
that can take it now (`websocket_frames.py`: framed once per distinct text, none of the
per-subscriber ASGI trip), and puts it in the member's own queue otherwise (another server, a
full buffer, frames already waiting there, which it must not overtake); each member's
operation task sends its queue's frames. A client whose socket buffer is full
(uvicorn waits for it to drain) so delays only itself; one that falls `MAX_BEHIND` frames
behind is closed with 1013 (try again later), which clients retry, rather than kept in memory
without bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, cast

from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    Operation,
    _OperationStreamClosed,  # what strawberry's own handler raises when it closed the socket
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import CompleteMessage
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.utils.aio import aclosing

from services.gateway.http.graphql_over_http import runs_a_subscription
from services.gateway.http.protection import Limits
from services.gateway.live.shared_events import NotPlain, caller, frozen
from services.gateway.live.websocket_auth import TokenCheckingHandler
from services.gateway.live.websocket_frames import FrameWriter, text_frame
from services.platform.graphql.context import RequestContext
from services.platform.security.auth import TokenVerifier

logger = logging.getLogger(__name__)

Shape = Hashable
# How a hub's stream ended for its subscribers: None (complete), or the result strawberry's
# handler answers with an error message (an error before execution, incremental delivery).
Ending = ExecutionResult | Any | None


class _Gone:
    """The subscriber's socket refused a frame: its own handler is ending it."""


class _TooSlow:
    """The subscriber fell `MAX_BEHIND` frames behind its shape: its socket is closed."""


GONE, TOO_SLOW = _Gone(), _TooSlow()
# Frames a subscriber may have waiting before it is let go: at one announcement per change,
# far more than a live client falls behind, and a bound on what a stalled one holds.
MAX_BEHIND = 1000
TOO_SLOW_CODE = 1013  # WebSocket "try again later": clients reconnect


@functools.lru_cache(maxsize=256)
def _subscribes(query: str, operation_name: str | None, max_tokens: int) -> bool:
    # Every subscriber of a shape sends the same document: parsed once, not once each (the
    # parse was a third of the fan-out's CPU while 1,000 subscribers connected).
    return runs_a_subscription(query, operation_name, max_tokens)


@dataclass(eq=False)
class _Member:
    handler: FanOutHandler
    operation: Operation[RequestContext, None]
    prefix: str  # '{"id":<its id>,"type":"next","payload":'
    # Its connection, written to directly while nothing of its waits (websocket_frames.py).
    writer: FrameWriter | None = None
    # Frames to send, then None once the hub is done with it (`ending` says how).
    frames: asyncio.Queue[str | None] = field(default_factory=asyncio.Queue)
    unsent: int = 0  # frames queued and not yet sent: a later one must not overtake them
    ending: Ending = None
    done: bool = False
    # Set when the hub lets the member go for being too slow: its send may never return.
    let_go: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    def write_now(self, framed: dict[str, bytes], tail: str) -> bool:
        """Writes its frame of the payload `tail` straight to its connection, the frame made
        once per distinct prefix in `framed`; False when it must be queued instead."""
        if self.writer is None or self.unsent:
            return False
        frame = framed.get(self.prefix)
        if frame is None:
            frame = framed[self.prefix] = text_frame(self.prefix + tail)
        return self.writer.write(frame)

    def offer(self, frame: str) -> bool:
        """Queues `frame` for this subscriber; False when it is too far behind to take it."""
        if self.frames.qsize() >= MAX_BEHIND:
            return False
        self.unsent += 1
        self.frames.put_nowait(frame)
        return True

    def end(self, ending: Ending | _TooSlow) -> None:
        if self.done:
            return
        self.done = True
        if isinstance(ending, _TooSlow):
            self.let_go.set_result(None)
        else:
            self.ending = ending
            self.frames.put_nowait(None)

    async def send_all(self) -> Ending | _Gone | _TooSlow:
        """Sends the queued frames as they come until the hub is done with this subscriber (or
        lets it go: then a send stuck on a full socket buffer is given up)."""
        sender = asyncio.ensure_future(self._send_queued())
        try:
            waits: set[asyncio.Future[Any]] = {sender, self.let_go}
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sender.cancel()  # a no-op once it returned
        return sender.result() if sender.done() and not sender.cancelled() else TOO_SLOW

    async def _send_queued(self) -> Ending | _Gone:
        while (frame := await self.frames.get()) is not None:
            try:
                await self.handler.send_frame(frame)
            except Exception:  # a closed socket, in whichever way it says so
                return GONE
            self.unsent -= 1
        return self.ending


class _Hub:
    """One strawberry stream of a shape, its results sent to every member's socket."""

    def __init__(self, hubs: Hubs, shape: Shape) -> None:
        self._hubs, self.shape = hubs, shape
        self.members: dict[_Member, None] = {}  # an ordered set: sent to in joining order
        self.task: asyncio.Task[None] | None = None

    def start(self, first: FanOutHandler, operation: Operation[RequestContext, None]) -> None:
        self.task = asyncio.create_task(self._run(first, operation))

    async def _run(self, first: FanOutHandler, operation: Operation[RequestContext, None]) -> None:
        ending: Ending = None
        try:
            source = await first.schema.stream(
                operation.query,
                variable_values=operation.variables,
                context_value=first.context,
                root_value=first.root_value,
                operation_name=operation.operation_name,
            )
            async with aclosing(source):
                async for result in source:
                    if isinstance(result, PreExecutionError) or not isinstance(
                        result, ExecutionResult
                    ):
                        ending = result  # answered by each subscriber's handler, as before
                        break
                    self._send(first, result)
                    # The members' senders take their turn before the next result: a burst
                    # of results must not count as every subscriber falling behind.
                    await asyncio.sleep(0)
        except Exception:  # strawberry's handler logs it and completes the operation
            logger.exception("subscription stream failed: %s", operation.operation_name)
        finally:
            self._hubs.forget(self)
            for member in list(self.members):
                member.end(ending)

    def _send(self, first: FanOutHandler, result: ExecutionResult) -> None:
        payload: dict[str, object] = {"data": result.data}
        if result.errors:
            payload["errors"] = [error.formatted for error in result.errors]
        if result.extensions:
            payload["extensions"] = result.extensions
        tail = first.view.encode_json_string(payload) + "}"
        framed: dict[str, bytes] = {}
        for member in list(self.members):
            if member.operation.completed or member.write_now(framed, tail):
                continue
            if not member.offer(member.prefix + tail):
                self.leave(member)
                member.end(TOO_SLOW)

    def leave(self, member: _Member) -> None:
        self.members.pop(member, None)
        if not self.members and self.task is not None and not self.task.done():
            self._hubs.forget(self)  # a later subscriber of the shape starts a new stream
            self.task.cancel()


class Hubs:
    """The running hubs of one API process, by shape."""

    def __init__(self) -> None:
        self._running: dict[Shape, _Hub] = {}

    def forget(self, hub: _Hub) -> None:
        if self._running.get(hub.shape) is hub:
            del self._running[hub.shape]

    async def follow(
        self, shape: Shape, handler: FanOutHandler, operation: Operation[RequestContext, None]
    ) -> Ending | _Gone | _TooSlow:
        """Sends `operation` its shape's results until the hub's stream ends (how it ended)."""
        hub = self._running.get(shape)
        if hub is None:
            hub = self._running[shape] = _Hub(self, shape)
            hub.start(handler, operation)
        prefix = (
            '{"id":' + handler.view.encode_json_string(operation.id) + ',"type":"next","payload":'
        )
        member = _Member(handler, operation, prefix, handler.frame_writer())
        hub.members[member] = None
        try:
            return await member.send_all()
        finally:
            hub.leave(member)


class FanOutHandler(TokenCheckingHandler):
    """graphql-transport-ws with the token checks, and subscriptions of one shape served by
    one hub."""

    hubs: Hubs

    @classmethod
    def for_view(cls, verifier: TokenVerifier, limits: Limits) -> type[FanOutHandler]:
        handler = cast(type[FanOutHandler], cls.for_verifier(verifier))
        handler.hubs, handler.limits = Hubs(), limits
        return handler

    async def send_frame(self, frame: str) -> None:
        # The text as it goes out: a `next` message already encoded.
        await cast(ASGIWebSocketAdapter, self.websocket).ws.send_text(frame)

    def frame_writer(self) -> FrameWriter | None:
        return FrameWriter.of(cast(ASGIWebSocketAdapter, self.websocket).ws.scope)

    def _shape(self, operation: Operation[RequestContext, None]) -> Shape | None:
        query, name = operation.query, operation.operation_name
        if not isinstance(query, str) or not _subscribes(query, name, self.limits.max_tokens):
            return None
        try:
            variables = frozen(operation.variables or {})
        except NotPlain:
            return None
        return (query, name, variables, caller(self.context))

    async def run_operation(self, operation: Operation[RequestContext, None]) -> None:
        shape = self._shape(operation)
        if shape is None:
            await super().run_operation(operation)
            return
        ending = await self.hubs.follow(shape, self, operation)
        if ending is GONE:
            return
        if ending is TOO_SLOW:
            await self.websocket.close(TOO_SLOW_CODE, "too far behind: reconnect")
            return
        with contextlib.suppress(_OperationStreamClosed):
            if isinstance(ending, PreExecutionError):
                await self._handle_pre_execution_error(operation, ending)
            elif ending is not None:
                await self._reject_incremental_delivery(operation)
            await operation.send_operation_message(
                CompleteMessage(id=operation.id, type="complete")
            )
