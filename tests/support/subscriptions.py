"""A GraphQL subscription over a real WebSocket, speaking graphql-transport-ws."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import httpx
from httpx_ws import WebSocketSession, connect_ws

from tests.support import principals


class Subscription:
    def __init__(self, session: WebSocketSession) -> None:
        self._session = session

    def next_message(self, timeout: float) -> dict[str, Any]:
        """The next message, whatever its type (an `error` included)."""
        message: dict[str, Any] = self._session.receive_json(timeout=timeout)
        return message

    def next_payload(self, timeout: float) -> dict[str, Any]:
        """The data of the next `next` message; fails on an error or after `timeout`."""
        message = self.next_message(timeout)
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message["payload"]
        data: dict[str, Any] = message["payload"]["data"]
        return data


@contextlib.contextmanager
def subscribe(
    graphql_url: str, query: str, token: str | None = None, **variables: Any
) -> Iterator[Subscription]:
    """Subscribes over a real WebSocket; the token (the tests' admin by default) goes in
    connection_init, as browsers must send it."""
    ws_url = graphql_url.replace("http://", "ws://", 1)
    with (
        httpx.Client() as client,
        connect_ws(
            ws_url,
            client,
            subprotocols=["graphql-transport-ws"],
            session_class=WebSocketSession,
        ) as session,
    ):
        bearer = f"Bearer {token if token is not None else principals.token()}"
        session.send_json({"type": "connection_init", "payload": {"Authorization": bearer}})
        ack = session.receive_json(timeout=10)
        assert ack["type"] == "connection_ack", ack
        session.send_json(
            {"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}}
        )
        yield Subscription(session)
        session.send_json({"id": "1", "type": "complete"})
