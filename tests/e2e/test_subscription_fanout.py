"""Subscribers of one shape over a real `vendorwatch up`: one change reaches each of them as
the same `next` message under its own id (the message strawberry would write), a subscriber
that completes stops receiving while the others of its shape carry on, a caller of another
role is served by its own stream, and subscriptions that cannot run each get their own error
message on a socket that stays open."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from httpx_ws import WebSocketSession, connect_ws

from services.platform.security.auth import Role
from tests.support import case_b
from tests.support.migration_checks import publish_events, suspension_from_today
from tests.support.principals import token
from tests.support.processes import System, wait_until
from tests.support.registry_checks import LIVE, all_registered

pytestmark = pytest.mark.postgres

VENDOR, LATER = "vendor-fanout", "vendor-fanout-later"


@contextlib.contextmanager
def _socket(graphql_url: str, bearer: str) -> Iterator[WebSocketSession]:
    with (
        httpx.Client() as client,
        connect_ws(
            graphql_url.replace("http://", "ws://", 1),
            client,
            subprotocols=["graphql-transport-ws"],
            session_class=WebSocketSession,
        ) as session,
    ):
        session.send_json({"type": "connection_init", "payload": {"Authorization": bearer}})
        assert session.receive_json(timeout=10)["type"] == "connection_ack"
        yield session


def _subscribe(session: WebSocketSession, operation_id: str) -> None:
    payload = {"query": LIVE, "variables": {"ids": [VENDOR, LATER]}}
    session.send_json({"id": operation_id, "type": "subscribe", "payload": payload})


def _next(session: WebSocketSession) -> tuple[str, dict[str, Any]]:
    """The next message's raw text and what it says, checked to be a `next` written as
    compact JSON, the server's encoding, with its keys in the protocol's order."""
    text = session.receive_text(timeout=30)
    message: dict[str, Any] = json.loads(text)
    assert message["type"] == "next", message
    assert list(message) == ["id", "type", "payload"]
    assert text == json.dumps(message, ensure_ascii=False, separators=(",", ":"))
    return text, message


def test_one_change_reaches_every_subscriber_of_a_shape_under_its_own_id(
    embedded: System, tmp_path: Path
) -> None:
    url, admin = embedded.client.url, f"Bearer {token()}"
    # The vendors followed are registered first: one the registry does not hold is refused.
    publish_events(
        embedded.publish,
        tmp_path / "vendors.jsonl",
        case_b.another_vendor(VENDOR),
        case_b.another_vendor(LATER),
    )
    wait_until(lambda: all_registered(embedded.client, VENDOR, LATER), "both vendors")
    with (
        _socket(url, admin) as first,
        _socket(url, admin) as second,
        _socket(url, f"Bearer {token(Role.VIEWER)}") as viewer,
    ):
        _subscribe(first, "a")
        _subscribe(first, "b")  # two of one shape on one socket
        _subscribe(second, "a")  # the same id on another socket is another subscriber
        _subscribe(viewer, "v")
        publish_events(
            embedded.publish, tmp_path / "first.jsonl", suspension_from_today(VENDOR, "fanout-001")
        )
        on_first = sorted([_next(first), _next(first)], key=lambda m: m[1]["id"])
        on_second, on_viewer = _next(second), _next(viewer)
        assert [m["id"] for _, m in on_first] == ["a", "b"]
        assert (on_second[1]["id"], on_viewer[1]["id"]) == ("a", "v")
        payloads = [m["payload"] for _, m in (*on_first, on_second, on_viewer)]
        assert all(p == payloads[0] for p in payloads)
        change = payloads[0]["data"]["eligibilityChanges"]
        assert change["vendorId"] == VENDOR and change["eligible"] is False
        assert on_first[0][0] == on_second[0]  # the same frame, byte for byte

        # "a" on the first socket leaves; "b" there and the second socket's "a" carry on.
        first.send_json({"id": "a", "type": "complete"})
        publish_events(
            embedded.publish,
            tmp_path / "second.jsonl",
            suspension_from_today(LATER, "fanout-002"),
        )
        after = [_next(first)[1], _next(second)[1], _next(viewer)[1]]
        assert [m["id"] for m in after] == ["b", "a", "v"]
        assert after[0]["payload"]["data"]["eligibilityChanges"]["vendorId"] == LATER


def test_a_subscription_that_cannot_run_is_answered_as_before_and_the_socket_stays(
    embedded: System,
) -> None:
    with _socket(embedded.client.url, f"Bearer {token()}") as session:
        unknown = {"query": "subscription { eligibilityChanges { noSuchField } }"}
        for operation_id in ("x", "y"):  # two of one shape: each gets its own error
            session.send_json({"id": operation_id, "type": "subscribe", "payload": unknown})
        errors = [session.receive_json(timeout=30) for _ in range(2)]
        assert sorted(e["id"] for e in errors) == ["x", "y"]
        assert all(e["type"] == "error" for e in errors)
        assert all("noSuchField" in e["payload"][0]["message"] for e in errors)
        session.send_json({"type": "ping"})
        assert session.receive_json(timeout=10) == {"type": "pong"}
