"""The API as Python integrators meet it through `gql` (its HTTPX and websockets transports),
over a real `vendorwatch up`: every HTTP refusal the client can provoke reaches it as GraphQL
errors with the right status; WebSocket refusals and a token's expiry reach it as close codes
with their reasons; the legacy subprotocol (gql's "apollo" one) is refused at the handshake."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportError, TransportQueryError, TransportServerError
from gql.transport.httpx import HTTPXTransport
from gql.transport.websockets import WebsocketsTransport
from websockets.exceptions import ConnectionClosed, InvalidStatus

from services.platform.security.auth import Role
from tests.support.principals import expired, short_lived, token
from tests.support.processes import System

pytestmark = pytest.mark.postgres

SPEC = "application/graphql-response+json"
RANKING = "{ riskiestVendors(first: 1) { vendorId } }"
RISK = "subscription { riskUpdates { vendorId } }"


class Recorded:
    """A gql HTTP client whose HTTP answers are kept, so a test sees the status and body the
    client was given as well as what the client made of them."""

    def __init__(self, url: str, bearer: str, accept: str | None = None) -> None:
        self.answers: list[httpx.Response] = []
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        if accept:
            headers["Accept"] = accept
        transport = HTTPXTransport(
            url, headers=headers, timeout=30, event_hooks={"response": [self.answers.append]}
        )
        self.client = Client(transport=transport)

    def refusal(self, request: GraphQLRequest) -> tuple[int, str, dict[str, Any]]:
        """Status, media type and body of a request gql reports as GraphQL errors."""
        with pytest.raises(TransportQueryError) as refused:
            self.client.execute(request)
        answer = self.answers[-1]
        assert refused.value.errors == answer.json()["errors"]  # read as GraphQL errors
        return answer.status_code, answer.headers["content-type"], answer.json()


def test_a_refused_token_is_a_401_with_graphql_errors(embedded: System) -> None:
    refused = {
        "": "no bearer token",
        "forged": "token is not a JWT",
        token() + "x": "token signature is not valid",
        expired(): "token expired",
    }
    for bearer, says in refused.items():
        client = Recorded(embedded.client.url, bearer)
        status, media, body = client.refusal(GraphQLRequest(RANKING))
        assert (status, media) == (401, "application/json"), says
        assert says in body["errors"][0]["message"]
        assert client.answers[-1].headers["www-authenticate"].startswith("Bearer")


def test_a_body_over_the_limit_is_a_413_with_graphql_errors(embedded: System) -> None:
    huge = GraphQLRequest(
        "query ($text: String!) { vendors(search: $text) { vendorId } }",
        variable_values={"text": "x" * 2_000_001},
    )
    status, media, body = Recorded(embedded.client.url, token()).refusal(huge)
    assert (status, media) == (413, "application/json")
    assert body["errors"][0]["message"] == "request body over 2000000 bytes"


def test_a_request_that_cannot_run_is_a_400_in_the_specifications_media_type(
    embedded: System,
) -> None:
    cannot_run = {
        "{ riskiestVendors(first: 1) { nope } }": "Cannot query field 'nope'",
        "{ deadLetters { totalCount } }": "role viewer may not use deadLetters",
        RISK: "subscriptions are served over a WebSocket",
    }
    requests = [(GraphQLRequest(query), says) for query, says in cannot_run.items()]
    mismatch = {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}
    requests.append(
        (GraphQLRequest(RANKING, extensions=mismatch), "is not the SHA-256 of the query")
    )
    viewer = token(Role.VIEWER)
    spec = Recorded(embedded.client.url, viewer, accept=f"{SPEC}, application/json;q=0.9")
    legacy = Recorded(embedded.client.url, viewer)  # gql's default: reads any JSON
    for request, says in requests:
        status, media, body = spec.refusal(request)
        assert (status, media) == (400, SPEC) and "data" not in body, says
        assert says in body["errors"][0]["message"]
        # A client that does not ask for the specification's media type gets 200 and the
        # same errors, as the specification keeps for such clients.
        status, media, legacy_body = legacy.refusal(request)
        assert (status, media) == (200, "application/json"), says
        assert legacy_body["errors"] == body["errors"]


def test_a_batch_is_refused_with_graphql_errors(embedded: System) -> None:
    client = Recorded(embedded.client.url, token())
    with pytest.raises(TransportServerError) as refused:
        client.client.execute_batch([GraphQLRequest(RANKING), GraphQLRequest(RANKING)])
    assert refused.value.code == 400
    answer = client.answers[-1]
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == {
        "errors": [{"message": "Batching is not enabled", "extensions": {"code": "BAD_REQUEST"}}]
    }


def _closed(error: BaseException) -> ConnectionClosed:
    """The WebSocket close behind a gql transport error."""
    cause: BaseException | None = error
    while cause is not None and not isinstance(cause, ConnectionClosed):
        cause = cause.__cause__ or cause.__context__
    assert cause is not None, f"not a closed WebSocket: {error!r}"
    return cause


async def _subscribe(url: str, bearer: str, acknowledged: list[bool], **transport: Any) -> None:
    """Subscribes through gql's websockets transport until the server ends it; notes in
    `acknowledged` that the server let the connection in."""
    ws_url = url.replace("http://", "ws://", 1)
    socket = WebsocketsTransport(
        url=ws_url, init_payload={"Authorization": f"Bearer {bearer}"}, **transport
    )
    async with Client(transport=socket) as session:
        acknowledged.append(True)
        async for _ in session.subscribe(GraphQLRequest(RISK)):
            pass


async def test_a_refused_websocket_closes_with_the_reason(embedded: System) -> None:
    refused = {
        token() + "x": (4401, "token signature is not valid"),  # never retried
        "forged": (4401, "token is not a JWT"),
        expired(): (4403, "token expired"),  # retried, with a renewed token
    }
    for bearer, (code, reason) in refused.items():
        acknowledged: list[bool] = []
        with pytest.raises(TransportError) as closed:
            await _subscribe(embedded.client.url, bearer, acknowledged)
        close = _closed(closed.value).rcvd
        assert close is not None and (close.code, close.reason) == (code, reason)
        assert not acknowledged  # refused at connection_init


async def test_a_subscription_ends_with_4403_when_its_token_expires(embedded: System) -> None:
    acknowledged: list[bool] = []
    with pytest.raises(TransportError) as ended:
        await _subscribe(embedded.client.url, short_lived(6), acknowledged)
    close = _closed(ended.value).rcvd
    assert close is not None and (close.code, close.reason) == (4403, "token expired")
    assert acknowledged  # let in, then closed while subscribed


async def test_the_legacy_subprotocol_is_refused_at_the_handshake(embedded: System) -> None:
    with pytest.raises(TransportError) as refused:
        await _subscribe(
            embedded.client.url, token(), [], subprotocols=[WebsocketsTransport.APOLLO_SUBPROTOCOL]
        )
    handshake = refused.value.__cause__
    assert isinstance(handshake, InvalidStatus)
    assert handshake.response.status_code == 400
    message = json.loads(handshake.response.body)["errors"][0]["message"]
    assert "must be graphql-transport-ws" in message and "offered: graphql-ws" in message
