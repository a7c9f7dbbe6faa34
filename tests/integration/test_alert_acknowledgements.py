"""Alerts acknowledged on a real PostgreSQL, through the API: by their agency, seen only by it;
once, a second acknowledgement refused saying whose stands."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import pytest

from services.alerts import setup as alerts_setup
from services.alerts.changes import RUNNING_CONTRACTS
from services.platform.security.auth import Principal, Role
from tests.support import case_b
from tests.support.alert_announcing import alert_settings, announce
from tests.support.alert_events import MINE, THEIRS, VENDOR, contract, saved, suspended
from tests.support.in_process_api import graphql
from tests.support.registry_db import apply, rejection

pytestmark = pytest.mark.postgres


# MINE's webhook, which nothing here delivers to (no delivery loop runs): an alert's
# delivery reads as waiting for its first attempt.
NO_DELIVERIES = "http://127.0.0.1:9/hooks/alerts"


STATUS = """query ($id: ID!) {
  eventStatus(eventId: $id) { refusedBy deadLetters { stage reason } }
}"""
DEAD_LETTERS = "{ deadLetters(first: 5) { edges { node { stage reason } } } }"
ALERTS = """query ($acknowledged: Boolean) {
  alerts(first: 10, acknowledged: $acknowledged) {
    totalCount
    edges { node { id alertId agency change watchlists acknowledgedBy note
                   delivery { attempts lastStatus nextTryAt deliveredAt } } }
  }
}"""
ACKNOWLEDGE = """mutation ($id: ID!) {
  acknowledgeAlert(alertId: $id, note: "Contract review started.") {
    accepted errors { field message code }
  }
}"""


async def test_acknowledged_by_its_agency_and_seen_only_by_it(
    pool: asyncpg.Pool,
) -> None:
    consumer = alerts_setup.consumer(alert_settings(NO_DELIVERIES))
    await apply(pool, case_b.registered(), contract(MINE))
    await apply(pool, saved(THEIRS, "bidders 2026-04", [VENDOR]), consumer=consumer)
    await announce(pool, consumer, suspended())
    owner = Principal("owner-mine", Role.SYSTEM_OWNER, (MINE,))
    theirs = Principal("owner-theirs", Role.SYSTEM_OWNER, (THEIRS,))

    seen = await graphql(pool, owner, ALERTS)
    (edge,) = seen["data"]["alerts"]["edges"]
    alert = edge["node"]
    assert alert["agency"] == MINE and alert["change"] == "BARRED"
    assert alert["watchlists"] == [RUNNING_CONTRACTS]
    assert alert["delivery"] == {
        "attempts": 0,
        "lastStatus": None,
        "nextTryAt": alert["delivery"]["nextTryAt"],
        "deliveredAt": None,
    }
    watchlists = await graphql(pool, owner, "{ watchlists { agency name automatic vendorIds } }")
    assert watchlists["data"]["watchlists"] == [
        {"agency": MINE, "name": RUNNING_CONTRACTS, "automatic": True, "vendorIds": [VENDOR]}
    ]
    # Another agency's alert is not found, nor is the agency's name accepted.
    refused = await graphql(pool, theirs, ACKNOWLEDGE, id=alert["alertId"])
    assert refused["data"]["acknowledgeAlert"]["errors"] == [
        {
            "field": "alertId",
            "message": f"no alert {alert['alertId']} of your agencies",
            "code": "unknown_alert",
        }
    ]
    # An officer sees every agency's alerts: "your agencies" would be untrue to them.
    officer = Principal("officer", Role.PROCUREMENT_OFFICER, ())
    nowhere = "00000000-0000-4000-8000-000000000000"
    unknown = await graphql(pool, officer, ACKNOWLEDGE, id=nowhere)
    assert unknown["data"]["acknowledgeAlert"]["errors"] == [
        {"field": "alertId", "message": f"no alert {nowhere} on record", "code": "unknown_alert"}
    ]
    mistyped = await graphql(pool, owner, ACKNOWLEDGE, id="alert-1")
    assert mistyped["data"]["acknowledgeAlert"]["errors"] == [
        {"field": "alertId", "message": "'alert-1' is not an alert id", "code": "not_an_alert_id"}
    ]
    named = await graphql(pool, owner, '{ alerts(agency: "税務課") { totalCount } }')
    assert named["errors"] == ["agency '税務課' is not one of your agencies (市民課)"]

    done = await graphql(pool, owner, ACKNOWLEDGE, id=alert["alertId"])
    assert done["data"]["acknowledgeAlert"] == {"accepted": True, "errors": []}
    # The acknowledgement is an event in the log; the alerts service applies it from there.
    stored = await pool.fetch(
        "SELECT envelope::text AS content FROM event_store WHERE event_type = 'alert.acknowledged'"
    )
    await apply(pool, *[json.loads(r["content"]) for r in stored], consumer=consumer)
    assert (await graphql(pool, owner, ALERTS, acknowledged=False))["data"]["alerts"][
        "totalCount"
    ] == 0
    (acknowledged,) = (await graphql(pool, owner, ALERTS, acknowledged=True))["data"]["alerts"][
        "edges"
    ]
    assert acknowledged["node"]["acknowledgedBy"] == "owner-mine"
    assert acknowledged["node"]["note"] == "Contract review started."
    # THEIRS still has its own alert, unacknowledged.
    (other,) = (await graphql(pool, theirs, ALERTS))["data"]["alerts"]["edges"]
    assert other["node"]["agency"] == THEIRS and other["node"]["acknowledgedBy"] is None


ACKNOWLEDGED = """{ alerts(first: 10, acknowledged: true) {
  edges { node { alertId acknowledgedBy acknowledgedAt note } } } }"""
ACKNOWLEDGE_WITH = """mutation ($id: ID!, $note: String) {
  acknowledgeAlert(alertId: $id, note: $note) { accepted eventId errors { field message code } }
}"""


async def logged(pool: asyncpg.Pool, event_id: str) -> dict[str, Any]:
    """The event the log holds under this id, as the alerts consumer reads it."""
    text = await pool.fetchval(
        "SELECT envelope::text FROM event_store WHERE event_id = $1::uuid", event_id
    )
    event: dict[str, Any] = json.loads(text)
    return event


async def test_an_alert_is_acknowledged_once_and_another_is_refused_saying_whose_stands(
    pool: asyncpg.Pool,
) -> None:
    """An auditor reads who acknowledged an alert, when, and what they said: a second
    acknowledgement must neither rewrite that nor vanish (its note was dropped unsaid)."""
    consumer = alerts_setup.consumer(alert_settings(NO_DELIVERIES))
    await apply(pool, case_b.registered(), contract(MINE))
    await announce(pool, consumer, suspended())
    owner = Principal("owner-mine", Role.SYSTEM_OWNER, (MINE,))
    officer = Principal("officer", Role.PROCUREMENT_OFFICER, ())
    (edge,) = (await graphql(pool, owner, ALERTS))["data"]["alerts"]["edges"]
    alert_id = edge["node"]["alertId"]

    # Two sent before either is applied: the log takes both; the first applied stands.
    first = await graphql(pool, owner, ACKNOWLEDGE_WITH, id=alert_id, note="Review started.")
    second = await graphql(pool, officer, ACKNOWLEDGE_WITH, id=alert_id, note="Vendor called.")
    first_event = await logged(pool, first["data"]["acknowledgeAlert"]["eventId"])
    await apply(pool, first_event, consumer=consumer)
    second_event = await logged(pool, second["data"]["acknowledgeAlert"]["eventId"])
    refused = await rejection(pool, second_event, consumer)
    (stands,) = (await graphql(pool, owner, ACKNOWLEDGED))["data"]["alerts"]["edges"]
    node = stands["node"]
    assert (node["acknowledgedBy"], node["note"]) == ("owner-mine", "Review started.")
    said = (
        f"alert {alert_id} was acknowledged by owner-mine at {node['acknowledgedAt']};"
        " the first acknowledgement stands"
    )
    assert refused == f"alert_id: {said}"
    # The refusal is told where people look for it (the stage was unknown to the API, which
    # answered both with an internal error).
    auditor = Principal("auditor", Role.AUDITOR, ())
    status = await graphql(pool, auditor, STATUS, id=second_event["event_id"])
    assert status["data"]["eventStatus"]["refusedBy"] == ["ALERTS"]
    (letter,) = status["data"]["eventStatus"]["deadLetters"]
    assert letter == {"stage": "ALERTS", "reason": f"alert_id: {said}"}
    letters = (await graphql(pool, auditor, DEAD_LETTERS))["data"]["deadLetters"]["edges"]
    assert letters[0]["node"] == letter

    # Asked after the first was applied, another is refused in its receipt, nothing written.
    third = await graphql(pool, officer, ACKNOWLEDGE_WITH, id=alert_id, note="Again.")
    assert third["data"]["acknowledgeAlert"] == {
        "accepted": False,
        "eventId": None,
        "errors": [{"field": "alertId", "message": said, "code": "already_acknowledged"}],
    }
    written = "SELECT count(*) FROM event_store WHERE event_type = 'alert.acknowledged'"
    assert await pool.fetchval(written) == 2

    # The first applied again (the alerts consumer replayed from an empty ledger) is no other.
    await pool.execute("DELETE FROM processed_events WHERE consumer = 'alerts'")
    await apply(pool, first_event, consumer=consumer)
    assert (await graphql(pool, owner, ACKNOWLEDGED))["data"]["alerts"]["edges"] == [stands]
