"""WebSocket refusals over a real `vendorwatch up`: each says why, with a close code that tells
a graphql-ws client whether to retry; an open subscription ends when its token expires."""

from __future__ import annotations

import base64
import os
import time

import httpx
import pytest
from httpx_ws import WebSocketDisconnect

from tests.support.principals import expired, short_lived
from tests.support.processes import System
from tests.support.subscriptions import subscribe

pytestmark = pytest.mark.postgres

RISK = "subscription { riskUpdates { vendorId } }"


def _closed_by(url: str, token: str, wait: float = 0) -> WebSocketDisconnect:
    with pytest.raises(WebSocketDisconnect) as closed:  # noqa: SIM117
        with subscribe(url, RISK, token=token) as subscription:
            subscription.next_payload(timeout=wait)
    return closed.value


def test_a_token_that_can_never_be_accepted_is_refused_for_good(embedded: System) -> None:
    url, admin = embedded.client.url, embedded.client.token
    forged = _closed_by(url, admin + "x")
    assert (forged.code, forged.reason) == (4401, "token signature is not valid")
    nothing = _closed_by(url, "")
    assert nothing.code == 4401 and "no bearer token" in nothing.reason


def test_an_expired_token_is_refused_as_retryable(embedded: System) -> None:
    closed = _closed_by(embedded.client.url, expired())
    assert (closed.code, closed.reason) == (4403, "token expired")


def test_an_open_subscription_ends_when_its_token_expires(embedded: System) -> None:
    started = time.monotonic()
    closed = _closed_by(embedded.client.url, short_lived(3), wait=30)
    assert (closed.code, closed.reason) == (4403, "token expired")
    assert time.monotonic() - started < 10  # at expiry, not at some later check


@pytest.mark.parametrize("offered", ["graphql-ws", None])
def test_only_graphql_transport_ws_is_let_in(embedded: System, offered: str | None) -> None:
    """Refused at the handshake, with the reason in a GraphQL JSON body."""
    handshake = {
        "Connection": "Upgrade",
        "Upgrade": "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(),
        **({"Sec-WebSocket-Protocol": offered} if offered else {}),
    }
    response = httpx.get(embedded.client.url, headers=handshake, timeout=10)
    assert response.status_code == 400
    message = response.json()["errors"][0]["message"]
    assert "must be graphql-transport-ws" in message and f"offered: {offered or 'none'}" in message
