"""Subscribers of the same shape share one execution of each event; others get their own.

The gateway's schema over a broadcaster in this process: what a subscriber receives is its own
document's selection, whatever other subscribers asked for, and callers of another role or
other agencies never take a result executed for someone else.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator, Awaitable
from types import SimpleNamespace
from typing import Any, cast

from strawberry.types import ExecutionResult

from graphql import ExecutionResult as GraphQLResult
from services.events.catalog import parse_event
from services.gateway.http.protection import Limits
from services.gateway.live.shared_events import SharedEventResults
from services.gateway.schema import build_schema
from services.platform.graphql.broadcast import Broadcaster
from services.platform.security.auth import Principal, Role
from tests.support.event_examples import VALID_PAYLOADS, envelope
from tests.support.principals import ADMIN

SCHEMA = build_schema(Limits())
CHANGES = """subscription ($ids: [ID!]) { eligibilityChanges(vendorIds: $ids) {
  vendorId eligible reasons { sanctionId } } }"""
NARROW = "subscription { eligibilityChanges { vendorId } }"
# Variables of its own that ask for the same fields (vendorIds would be looked up in the
# registry before the stream is returned: integration tests cover that).
INCLUDED = """subscription ($full: Boolean!) { eligibilityChanges {
  vendorId eligible @include(if: $full) reasons @include(if: $full) { sanctionId } } }"""
OWNER = Principal("owner", Role.SYSTEM_OWNER, ("市民課",))


async def _stream(
    broadcaster: Broadcaster, query: str, principal: Principal, **variables: Any
) -> AsyncIterator[ExecutionResult]:
    context = SimpleNamespace(principal=principal, broadcaster=broadcaster)
    stream = await SCHEMA.subscribe(query, variable_values=variables, context_value=context)
    assert not isinstance(stream, ExecutionResult), stream
    return stream


async def _next_of(streams: list[AsyncIterator[ExecutionResult]]) -> list[ExecutionResult]:
    """Each stream's first result, once every one of them waits for it."""
    pending = [asyncio.ensure_future(anext(s)) for s in streams]
    await asyncio.sleep(0)  # every subscription in place before the event comes
    return list(await asyncio.gather(*pending))


def _changed(vendor_id: str) -> Any:
    raw = envelope("vendor.eligibility_changed", VALID_PAYLOADS["vendor.eligibility_changed"])
    return parse_event(json.dumps(raw | {"vendor_id": vendor_id}))


async def test_subscribers_of_one_shape_share_an_execution_and_others_get_their_own() -> None:
    broadcaster = Broadcaster()
    streams = [
        await _stream(broadcaster, CHANGES, ADMIN),
        await _stream(broadcaster, CHANGES, ADMIN),
        await _stream(broadcaster, INCLUDED, ADMIN, full=True),
        await _stream(broadcaster, NARROW, ADMIN),
        await _stream(broadcaster, CHANGES, OWNER),
        await _stream(broadcaster, CHANGES, dataclasses.replace(OWNER, agencies=("税務課",))),
    ]
    waiting = asyncio.ensure_future(_next_of(streams))
    await asyncio.sleep(0.01)
    broadcaster.publish(_changed("vendor-b"))
    first, same, filtered, narrow, owner, other_owner = await waiting

    full = {
        "eligibilityChanges": {
            "vendorId": "vendor-b",
            "eligible": False,
            "reasons": [{"sanctionId": "sanc-2022-07-b"}],
        }
    }
    assert first.errors is None
    assert first.data == same.data == filtered.data == owner.data == other_owner.data == full
    assert narrow.data == {"eligibilityChanges": {"vendorId": "vendor-b"}}
    # One execution for the first two; the others' variables, document or caller differ.
    assert same.data is first.data
    others = [filtered, narrow, owner, other_owner]
    assert len({id(first.data), *(id(r.data) for r in others)}) == 1 + len(others)


async def test_the_next_event_is_executed_afresh() -> None:
    broadcaster = Broadcaster()
    streams = [await _stream(broadcaster, CHANGES, ADMIN) for _ in range(2)]
    for vendor_id in ("vendor-b", "vendor-c"):
        waiting = asyncio.ensure_future(_next_of(streams))
        await asyncio.sleep(0.01)
        broadcaster.publish(_changed(vendor_id))
        results = await waiting
        assert [r.data["eligibilityChanges"]["vendorId"] for r in results if r.data] == [
            vendor_id,
            vendor_id,
        ]


async def test_a_subscriber_leaving_does_not_cancel_the_execution_others_await() -> None:
    shared, event, release = SharedEventResults(), object(), asyncio.Event()

    async def execute() -> GraphQLResult:
        await release.wait()
        return GraphQLResult({"answer": 1}, None)

    first = asyncio.ensure_future(
        cast(Awaitable[GraphQLResult], shared.executed(event, 1, execute()))
    )
    second = asyncio.ensure_future(cast(Awaitable[GraphQLResult], shared.known(event, 1)))
    await asyncio.sleep(0)
    first.cancel()  # its client went away while the execution ran
    release.set()
    assert (await second).data == {"answer": 1}
    assert shared.known(object(), 1) is None  # another event: nothing executed yet
