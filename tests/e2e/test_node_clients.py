"""The API as JavaScript integrators meet it, over a real `vendorwatch up`: the reference
graphql-ws client sees its token expire (4403 "token expired"), renews it by reconnecting and
keeps its subscription; gives up at once on a token that can never be accepted (4401) but
retries an expired one; the legacy `graphql-ws` subprotocol is refused at the handshake; and
Apollo Client's persisted-query link registers a hash and then sends the hash alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.platform.security.auth import Role
from tests.support import case_b
from tests.support.migration_checks import publish_events, suspension_from_today
from tests.support.node_clients import NodeSubscription, run_node
from tests.support.principals import expired, short_lived, token
from tests.support.processes import System, wait_until
from tests.support.registry_checks import LIVE, all_registered

pytestmark = pytest.mark.postgres

RISK = "subscription { riskUpdates { vendorId } }"


def test_a_subscription_closes_when_its_token_expires_and_resumes_with_a_renewed_one(
    embedded: System, tmp_path: Path
) -> None:
    # The vendor is registered first: a subscription naming one the registry does not hold
    # is refused. The client hands out a short token first and a renewed one when it
    # reconnects.
    publish_events(
        embedded.publish, tmp_path / "vendor.jsonl", case_b.another_vendor("vendor-live")
    )
    wait_until(lambda: all_registered(embedded.client, "vendor-live"), "the vendor")
    client = NodeSubscription(
        embedded.client.url,
        [short_lived(8), token(Role.VIEWER)],
        LIVE,
        retry_attempts=1,
        ids=["vendor-live"],
    )
    try:
        client.until("connected")
        closed = client.until("closed")
        assert (closed["code"], closed["reason"]) == (4403, "token expired")
        assert client.until("connected")["wasRetry"] is True
        suspension = suspension_from_today("vendor-live", "live-001")
        publish_events(embedded.publish, tmp_path / "live.jsonl", suspension)
        pushed = client.until("next")["payload"]["data"]["eligibilityChanges"]
    finally:
        client.close()
    assert pushed["vendorId"] == "vendor-live" and pushed["eligible"] is False
    assert client.kinds() == [
        "connecting",
        "connected",
        "closed",
        "connecting",
        "connected",
        "next",
    ]


def test_the_client_gives_up_at_once_on_a_token_that_can_never_be_accepted(
    embedded: System,
) -> None:
    client = NodeSubscription(embedded.client.url, [token() + "x"], RISK, retry_attempts=3)
    try:
        failed = client.until("error")
    finally:
        client.close()
    assert (failed["code"], failed["reason"]) == (4401, "token signature is not valid")
    assert client.kinds() == ["connecting", "closed", "error"]  # no second attempt


def test_the_client_retries_an_expired_token(embedded: System) -> None:
    """4403 is the retryable refusal: the client tries again (here with the same stale token,
    so each attempt is refused alike until it runs out of attempts)."""
    client = NodeSubscription(embedded.client.url, [expired()], RISK, retry_attempts=2)
    try:
        failed = client.until("error")
    finally:
        client.close()
    assert (failed["code"], failed["reason"]) == (4403, "token expired")
    assert client.kinds().count("connecting") == 3


def test_the_legacy_subprotocol_is_refused_at_the_handshake(embedded: System) -> None:
    url = embedded.client.url.replace("http://", "ws://", 1)
    answer = run_node("legacy_handshake.mjs", url)
    assert answer["status"] == 400 and answer["contentType"] == "application/json"
    message = json.loads(answer["body"])["errors"][0]["message"]
    assert "must be graphql-transport-ws" in message and "offered: graphql-ws" in message


def test_apollo_persisted_queries_register_a_hash_then_send_it_alone(embedded: System) -> None:
    query = "query Ranking { riskiestVendors(first: 1) { vendorId } }"
    argument = {"url": embedded.client.url, "token": token(Role.VIEWER), "query": query}
    ran = run_node("persisted_query.mjs", json.dumps(argument))
    exchanges = [(e["method"], e["hasQuery"], e["hash"] is not None) for e in ran["exchanges"]]
    assert exchanges == [
        ("GET", False, True),  # the hash alone: not known yet
        ("POST", True, True),  # registered: the hash with the query
        ("GET", False, True),  # the hash alone, now known
    ]
    unknown, registered, known = ran["exchanges"]
    # Apollo accepts application/graphql-response+json: a request error is a 400 it reads.
    assert [unknown["status"], registered["status"], known["status"]] == [400, 200, 200]
    assert unknown["body"]["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert registered["body"] == known["body"] and "errors" not in known["body"]
    assert ran["answers"][0] == ran["answers"][1] == known["body"]["data"]
