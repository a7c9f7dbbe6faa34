"""Watchlists and alerts on a real PostgreSQL, with a real HTTP receiver (the standard
library's server in a thread) for the webhooks: one signed alert per change and agency,
applied again without a second one; a receiver down until its retries reach the backoff's
cap still gets each alert once;
acknowledgement; agency scope; a lift that leaves a bar to come says it."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import httpx
import pytest
from click.testing import CliRunner

from services.alerts import setup as alerts_setup
from services.alerts.changes import RUNNING_CONTRACTS
from services.alerts.signing import ALERT_ID_HEADER, SIGNATURE_HEADER, signature_problem
from services.alerts.webhooks import WebhookConfig, deliver_all_due, run_deliveries
from services.cli.main import cli
from services.events.alerts import watchlist_key
from services.platform.consuming.consumer import apply_serialized_batch
from services.platform.operations.liveness import Liveness
from services.platform.operations.logs import configure_logging
from services.platform.security.auth import Principal, Role
from services.platform.settings import Settings
from tests.support import case_b
from tests.support.alert_events import MINE, THEIRS, TODAY, VENDOR, contract, saved, suspended
from tests.support.alert_log import AlertLog, alerted
from tests.support.event_examples import envelope, example
from tests.support.in_process_api import graphql
from tests.support.processes import eventually
from tests.support.registry_db import apply, outbox, rejection
from tests.support.webhook_receiver import Receiver, free_port

pytestmark = pytest.mark.postgres

SECRET = "alert-tests-secret"
# Past the policy's 18 months: an amendment says why, as an imposition would.
EXTENDED = "extended on review of the investigation"


def settings(url: str) -> Settings:
    return Settings(
        database_url="unused",
        alert_webhooks={MINE: url},
        alert_webhook_secret=SECRET,
        alert_retry_first_seconds=1.0,
        alert_retry_max_seconds=4.0,
        alert_webhook_timeout_seconds=2.0,
    )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver(free_port())
    yield made
    made.stop()


@contextlib.asynccontextmanager
async def delivering(pool: asyncpg.Pool, config: WebhookConfig) -> AsyncIterator[None]:
    """The delivery loop of a long-running process, for the block."""
    task = asyncio.create_task(run_deliveries(pool, config, Liveness("webhooks"), 0.2))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def announce(pool: asyncpg.Pool, consumer: Any, *events: dict[str, Any]) -> list[bytes]:
    """Applies registry events, then what the registry announced to the alerts consumer (as
    the log relays it); returns those announcements."""
    await apply(pool, *events)
    announced = [json.dumps(e).encode() for e in await outbox(pool)]
    await pool.execute("DELETE FROM registry_outbox")
    await apply_serialized_batch(pool, consumer, announced)
    return announced


async def three_changes(pool: asyncpg.Pool, consumer: Any) -> list[bytes]:
    """B barred (a contract with MINE, and on THEIRS's saved list), its period extended, then
    lifted: three announcements."""
    await apply(pool, case_b.registered(), contract(MINE))
    await apply(pool, saved(THEIRS, "bidders 2026-04", [VENDOR]), consumer=consumer)
    return [
        *await announce(pool, consumer, suspended()),
        *await announce(
            pool,
            consumer,
            case_b.amended(
                effective_on=str(TODAY), duration_months=24, policy_override_reason=EXTENDED
            ),
        ),
        *await announce(pool, consumer, case_b.lifted(str(TODAY))),
    ]


async def deliveries(pool: asyncpg.Pool) -> list[asyncpg.Record]:
    return await pool.fetch("SELECT * FROM alert_deliveries ORDER BY alert_id")


def webhook_key(agency: str) -> bytes:
    """The key the operator hands `agency` (`vendorwatch alerts webhook-key`)."""
    webhooks = json.dumps({MINE: "https://mine.example", THEIRS: "https://theirs.example"})
    environment = {
        "VENDORWATCH_ALERT_WEBHOOK_SECRET": SECRET,
        "VENDORWATCH_ALERT_WEBHOOKS": webhooks,
    }
    printed = CliRunner().invoke(cli, ["alerts", "webhook-key", agency], env=environment)
    assert printed.exit_code == 0, printed.output
    return printed.output.strip().encode()


def check_signed(received: list[tuple[dict[str, str], bytes]]) -> None:
    """Each delivery to MINE verifies with MINE's key, and with neither the deployment's
    secret nor another agency's key (a receiving agency cannot sign for another)."""
    now = int(time.time())
    for headers, body in received:
        header = headers[SIGNATURE_HEADER]
        problem = signature_problem(webhook_key(MINE), header, body, now)
        assert problem is None, problem
        for other in (SECRET.encode(), webhook_key(THEIRS)):
            assert signature_problem(other, header, body, now) is not None
        assert json.loads(body)["alert_id"] == headers[ALERT_ID_HEADER]


async def test_one_signed_alert_per_change_and_agency(
    pool: asyncpg.Pool, receiver: Receiver
) -> None:
    config = settings(receiver.url)
    consumer = alerts_setup.consumer(config)
    receiver.start()
    announced = await three_changes(pool, consumer)
    assert len(announced) == 3

    rows = await pool.fetch("SELECT agency, change, watchlists FROM alerts ORDER BY seq")
    assert [(r["agency"], r["change"]) for r in rows] == [
        (MINE, "barred"),
        (THEIRS, "barred"),
        (MINE, "period_changed"),
        (THEIRS, "period_changed"),
        (MINE, "lifted"),
        (THEIRS, "lifted"),
    ]
    assert {tuple(r["watchlists"]) for r in rows} == {
        (RUNNING_CONTRACTS,),
        ("bidders 2026-04",),
    }
    # Only MINE has a webhook.
    webhook = WebhookConfig.of(config)
    assert webhook is not None
    async with delivering(pool, webhook):

        async def delivered() -> bool:
            return all(d["delivered_at"] for d in await deliveries(pool))

        await eventually(delivered, "the three alerts delivered")
    assert len(receiver.received) == 3
    check_signed(receiver.received)
    mine = await pool.fetch("SELECT alert_id FROM alerts WHERE agency = $1", MINE)
    assert sorted(receiver.alert_ids()) == sorted(str(r["alert_id"]) for r in mine)
    # Delivered concurrently: in any order.
    assert sorted(json.loads(b)["change"] for _, b in receiver.received) == [
        "barred",
        "lifted",
        "period_changed",
    ]

    # Redelivered, and replayed from an empty ledger (a rebuild): no second alert, nothing
    # sent again.
    await apply_serialized_batch(pool, consumer, announced)
    await pool.execute("DELETE FROM processed_events WHERE consumer = 'alerts'")
    await apply_serialized_batch(pool, consumer, announced)
    assert await pool.fetchval("SELECT count(*) FROM alerts") == 6
    async with httpx.AsyncClient() as client:
        assert await deliver_all_due(pool, client, webhook) == 0
    assert len(receiver.received) == 3


async def test_an_attempt_that_outlived_its_lease_does_not_undo_a_delivery(
    pool: asyncpg.Pool,
) -> None:
    config = settings("http://receiver.invalid/alerts")
    consumer = alerts_setup.consumer(config)
    await three_changes(pool, consumer)
    webhook = WebhookConfig.of(config)
    assert webhook is not None

    async def slow_and_failing(request: httpx.Request) -> httpx.Response:
        # Meanwhile, another process (its lease run out) delivered every alert.
        await pool.execute("UPDATE alert_deliveries SET delivered_at = now()")
        return httpx.Response(503)

    async with httpx.AsyncClient(transport=httpx.MockTransport(slow_and_failing)) as client:
        assert await deliver_all_due(pool, client, webhook) == 3
    assert all(d["delivered_at"] is not None for d in await deliveries(pool))


async def test_pending_deliveries_go_to_the_agencys_webhook_as_configured_now(
    pool: asyncpg.Pool, receiver: Receiver
) -> None:
    """An operator corrects an agency's URL and restarts: its pending deliveries were tried
    at the URL of their raising for ever (an integrator's finding). They go to the URL
    configured now; with no webhook for the agency now they wait, tried once it has one."""
    receiver.start()
    raised_with = settings("http://127.0.0.1:9/old")
    await three_changes(pool, alerts_setup.consumer(raised_with))
    assert len(await deliveries(pool)) == 3
    unconfigured = WebhookConfig.of(raised_with.model_copy(update={"alert_webhooks": {}}))
    assert unconfigured is not None
    async with httpx.AsyncClient() as client:
        assert await deliver_all_due(pool, client, unconfigured) == 0
        assert all(d["attempts"] == 0 for d in await deliveries(pool))
        corrected = WebhookConfig.of(settings(receiver.url))
        assert corrected is not None
        assert await deliver_all_due(pool, client, corrected) == 3
    assert len(receiver.received) == 3
    assert all(d["delivered_at"] and d["url"] == receiver.url for d in await deliveries(pool))


DELIVERIES = """{ alerts(first: 10) { edges { node {
  delivery { url state attempts lastError nextTryAt waitingSince deliveredAt } } } } }"""


async def deliveries_read(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    """MINE's deliveries as its system owner reads them in the API."""
    owner = Principal("owner-mine", Role.SYSTEM_OWNER, (MINE,))
    answer = await graphql(pool, owner, DELIVERIES)
    assert answer["errors"] == []
    return [edge["node"]["delivery"] for edge in answer["data"]["alerts"]["edges"]]


async def test_a_delivery_whose_agency_lost_its_webhook_reads_as_waiting_for_one(
    pool: asyncpg.Pool, receiver: Receiver
) -> None:
    """An agency taken out of the webhook settings: its deliveries wait, and read so in the
    API, where they kept their last URL and a next try in the past, as if due (a tester's
    finding); configured again, they are pending (their next try as the backoff has it), then
    delivered."""
    receiver.start()
    down = "http://127.0.0.1:9/down"
    # A first retry a minute away: configured again, a delivery waits out its backoff.
    raised_with = settings(down).model_copy(update={"alert_retry_first_seconds": 60.0})
    await three_changes(pool, alerts_setup.consumer(raised_with))
    refused = WebhookConfig.of(raised_with)
    taken_out = WebhookConfig.of(raised_with.model_copy(update={"alert_webhooks": {}}))
    corrected = WebhookConfig.of(settings(receiver.url))
    assert refused is not None and taken_out is not None and corrected is not None
    async with httpx.AsyncClient() as client:
        assert await deliver_all_due(pool, client, refused) == 3
        tried = await deliveries_read(pool)
        assert {(d["state"], d["attempts"]) for d in tried} == {("PENDING", 1)}
        assert all(d["nextTryAt"] and d["waitingSince"] is None for d in tried)

        await pool.execute("UPDATE alert_deliveries SET next_try_at = now()")  # due now
        assert await deliver_all_due(pool, client, taken_out) == 0
        waiting = await deliveries_read(pool)
        assert {(d["state"], d["url"], d["nextTryAt"]) for d in waiting} == {
            ("WAITING_FOR_WEBHOOK", down, None)
        }
        assert all(d["waitingSince"] and d["lastError"] for d in waiting)
        since = {d["waitingSince"] for d in waiting}
        assert await deliver_all_due(pool, client, taken_out) == 0  # still waiting, since then
        assert {d["waitingSince"] for d in await deliveries_read(pool)} == since

        await pool.execute("UPDATE alert_deliveries SET next_try_at = now() + interval '1 hour'")
        assert await deliver_all_due(pool, client, refused) == 0  # configured again, not yet due
        pending = await deliveries_read(pool)
        assert {(d["state"], d["waitingSince"]) for d in pending} == {("PENDING", None)}
        assert all(d["nextTryAt"] for d in pending)

        await pool.execute("UPDATE alert_deliveries SET next_try_at = now()")
        assert await deliver_all_due(pool, client, corrected) == 3
    done = await deliveries_read(pool)
    assert {(d["state"], d["url"], d["nextTryAt"]) for d in done} == {
        ("DELIVERED", receiver.url, None)
    }
    assert all(d["deliveredAt"] and d["waitingSince"] is None for d in done)
    assert len(receiver.received) == 3


async def test_a_webhooks_credentials_are_sent_but_neither_shown_nor_logged(
    pool: asyncpg.Pool,
    receiver: Receiver,
    capsys: pytest.CaptureFixture[str],
    root_logging: None,
) -> None:
    """A webhook URL with a user, a password and a token in its query (a tester's finding:
    the API showed it whole to whoever reads alerts, and httpx logged it at every delivery):
    the deliveries go to it whole, credentials and token included; the API shows it without
    its userinfo and query, to every role that reads alerts; no log line of the process that
    delivers, at INFO, has them."""
    receiver.start()
    secret = "hookuser:HookPw123"
    url = receiver.url.replace("http://", f"http://{secret}@") + "?token=QueryTok999"
    configure_logging("info", "text")
    raised_with = settings(url)
    await three_changes(pool, alerts_setup.consumer(raised_with))
    config = WebhookConfig.of(raised_with)
    assert config is not None

    async def delivered() -> bool:
        # Recorded too: the loop, stopped once the receiver had them, may not have been yet.
        recorded = await deliveries(pool)
        return len(receiver.received) == 3 and all(d["delivered_at"] for d in recorded)

    async with delivering(pool, config):  # the loop, with its own client, as a process runs it
        await eventually(delivered, "the three alerts delivered")
    assert receiver.paths == ["/hooks/alerts?token=QueryTok999"] * 3
    basic = f"Basic {base64.b64encode(secret.encode()).decode()}"
    assert {headers["Authorization"] for headers, _ in receiver.received} == {basic}
    for role in (Role.PROCUREMENT_OFFICER, Role.AUDITOR, Role.SYSTEM_OWNER):
        answer = await graphql(pool, Principal(f"{role}-mine", role, (MINE,)), DELIVERIES)
        assert answer["errors"] == []
        shown = [edge["node"]["delivery"] for edge in answer["data"]["alerts"]["edges"]]
        assert {(d["state"], d["url"]) for d in shown if d} == {("DELIVERED", receiver.url)}
    logged = capsys.readouterr().err
    for word in ("hookuser", "HookPw123", "QueryTok999"):
        assert word not in logged, logged


async def test_history_from_before_the_alerts_were_installed_alerts_nobody(
    pool: asyncpg.Pool,
) -> None:
    consumer = alerts_setup.consumer(Settings(database_url="unused"))
    await apply(pool, case_b.registered(), contract(MINE))
    # As if the alerts service were installed after B's suspension was announced.
    await pool.execute("UPDATE alert_installed SET at = now() + interval '1 hour'")
    await announce(pool, consumer, suspended())
    assert await pool.fetchval("SELECT count(*) FROM alerts") == 0
    await pool.execute("UPDATE alert_installed SET at = now() - interval '1 hour'")
    # It still knew B was barred: the next change is a changed period, not a new bar.
    await announce(
        pool,
        consumer,
        case_b.amended(
            effective_on=str(TODAY), duration_months=24, policy_override_reason=EXTENDED
        ),
    )
    assert [tuple(r) for r in await pool.fetch("SELECT agency, change FROM alerts")] == [
        (MINE, "period_changed")
    ]


async def test_an_imported_entry_that_may_be_a_watched_vendor_alerts_once(
    pool: asyncpg.Pool,
) -> None:
    consumer = alerts_setup.consumer(Settings(database_url="unused"))
    await apply(pool, case_b.registered(), contract(MINE))
    # The report's one review candidate: 'B SYSTEM CO LTD' (line 40) may be vendor B.
    report = envelope("import.reported", example("import.reported"), "import:worldbank")
    await apply(pool, report)
    await apply(pool, report, consumer=consumer)
    await pool.execute("DELETE FROM processed_events WHERE consumer = 'alerts'")
    await apply(pool, report, consumer=consumer)  # replayed: found, not raised again

    data = await graphql(
        pool,
        Principal("owner-mine", Role.SYSTEM_OWNER, (MINE,)),
        """{ alerts(first: 5) { edges { node { vendorId change watchlists
               possibleMatch { vendorId name source line matchedName score why } } } } }""",
    )
    (edge,) = data["data"]["alerts"]["edges"]
    assert edge["node"] == {
        "vendorId": VENDOR,
        "change": "POSSIBLE_MATCH",
        "watchlists": [RUNNING_CONTRACTS],
        "possibleMatch": {
            "vendorId": "worldbank:b-system-co-ltd-0f1e2d3c4b5a6978",
            "name": "B SYSTEM CO LTD",
            "source": "worldbank",
            "line": 40,
            "matchedName": "B System Co., Ltd.",
            "score": 93.5,
            "why": "a weaker name match",
        },
    }


async def test_a_merged_candidate_recorded_before_the_upgrade_still_alerts_when_replayed(
    pool: asyncpg.Pool,
) -> None:
    """A review candidate that is its entry's own vendor (joined by an identifier under
    another name) alerts no one from alerts' migration 0016 on; a report recorded before it
    alerted, and applied again it still does (the agency may have acknowledged that alert),
    where one recorded after does not."""
    log = AlertLog(pool)
    await log.record(case_b.registered(), contract(MINE))
    payload = example("import.reported")
    payload["review"] = [{**payload["review"][0], "vendor_id": VENDOR}]
    before = envelope("import.reported", payload, "import:worldbank")
    after = envelope("import.reported", payload, "import:worldbank")
    await pool.execute(
        "UPDATE alert_installed SET merged_candidates_at = now() + interval '1 hour'"
    )
    await log.record(before)
    await pool.execute("UPDATE alert_installed SET merged_candidates_at = now()")
    await log.record(after)
    await log.replay(from_nothing=True)

    rows = await pool.fetch("SELECT cause_event_id FROM alerts WHERE change = 'possible_match'")
    assert [r["cause_event_id"] for r in rows] == [uuid.UUID(before["event_id"])]


async def test_a_receiver_down_past_the_backoff_cap_gets_each_alert_once(
    pool: asyncpg.Pool, receiver: Receiver
) -> None:
    config = settings(receiver.url)
    consumer = alerts_setup.consumer(config)
    webhook = WebhookConfig.of(config)
    assert webhook is not None
    await apply(pool, case_b.registered(), contract(MINE))
    async with delivering(pool, webhook):
        await announce(pool, consumer, suspended())

        # Nobody listens on the port: every attempt is refused and retried, 1 s, 2 s, then
        # the cap (4 s) twice, where doubling would wait 8 s: the fifth attempt comes after
        # the delivery has waited out the capped backoff (about 11 s; it used to wait a fixed
        # 30 s, which proved no more).
        async def retried_past_the_cap() -> bool:
            return all(d["attempts"] >= 5 for d in await deliveries(pool))

        await eventually(retried_past_the_cap, "five refused attempts", 30)
        (down,) = await deliveries(pool)
        assert down["delivered_at"] is None
        assert down["last_status"] is None and "ConnectError" in down["last_error"]
        receiver.start()

        async def delivered() -> bool:
            return all(d["delivered_at"] for d in await deliveries(pool))

        await eventually(delivered, "the alert delivered once the receiver is up", 15)
    (up,) = await deliveries(pool)
    assert up["attempts"] > down["attempts"]
    assert up["last_status"] == 204 and up["next_try_at"] is not None
    assert len(receiver.received) == 1
    check_signed(receiver.received)


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
    pool: asyncpg.Pool, receiver: Receiver
) -> None:
    consumer = alerts_setup.consumer(settings(receiver.url))
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
            "message": f"no alert {alert['alertId']} among your agencies' alerts",
            "code": "unknown_alert",
        }
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
    pool: asyncpg.Pool, receiver: Receiver
) -> None:
    """An auditor reads who acknowledged an alert, when, and what they said: a second
    acknowledgement must neither rewrite that nor vanish (its note was dropped unsaid)."""
    consumer = alerts_setup.consumer(settings(receiver.url))
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


STATUS = """query ($id: ID!) {
  eventStatus(eventId: $id) { refusedBy deadLetters { stage reason } }
}"""
DEAD_LETTERS = "{ deadLetters(first: 5) { edges { node { stage reason } } } }"


SAVE = """mutation ($agency: String!, $ids: [ID!]!, $identifiers: [IdentifierInput!]) {
  saveWatchlist(agency: $agency, name: "bidders", vendorIds: $ids, identifiers: $identifiers) {
    accepted errors { field message code }
  }
}"""


async def test_a_bidder_list_is_saved_by_ids_and_identifiers_of_known_vendors(
    pool: asyncpg.Pool,
) -> None:
    await apply(pool, case_b.registered(), case_b.another_vendor("vendor-c"))
    officer = Principal("officer", Role.PROCUREMENT_OFFICER, ())
    # B's corporate number, as a portal might write it (full-width digits, a hyphen).
    b_number = {"scheme": "corporate_number", "value": "７０００-０１２０５０００２"}

    # Every problem at once: a form showed the first, and refused the next once it was fixed.
    unheld = {"scheme": "corporate_number", "value": "1234567890123"}
    unknown = await graphql(
        pool, officer, SAVE, agency=MINE, ids=["vendor-x"], identifiers=[unheld]
    )
    assert unknown["data"]["saveWatchlist"]["errors"] == [
        {"field": "vendorIds", "message": "no such vendor: vendor-x", "code": "unknown_vendor"},
        {
            "field": "identifiers",
            "message": "no vendor holds corporate_number 1234567890123",
            "code": "unknown_identifier",
        },
    ]
    blank = {"scheme": "corporate_number", "value": " - "}
    unread = await graphql(pool, officer, SAVE, agency=MINE, ids=[], identifiers=[blank])
    assert unread["data"]["saveWatchlist"]["errors"] == [
        {
            "field": "identifiers[0]",
            "message": "identifier value for scheme 'corporate_number' is empty",
            "code": "blank_identifier",
        },
    ]
    # The event's own problems are named by the arguments, not as `payload.agency`.
    nameless = await graphql(pool, officer, SAVE, agency=" ", ids=[])
    assert [e["field"] for e in nameless["data"]["saveWatchlist"]["errors"]] == ["agency"]
    outsider = Principal("owner-theirs", Role.SYSTEM_OWNER, (THEIRS,))
    scoped = await graphql(pool, outsider, SAVE, agency=MINE, ids=["vendor-c"])
    assert scoped["errors"] == ["agency '市民課' is not one of your agencies (税務課)"]

    saved = await graphql(
        pool, officer, SAVE, agency=MINE, ids=["vendor-c"], identifiers=[b_number]
    )
    assert saved["data"]["saveWatchlist"] == {"accepted": True, "errors": []}
    (stored,) = await pool.fetch(
        "SELECT vendor_id, envelope FROM event_store WHERE event_type = 'watchlist.saved'"
    )
    assert stored["vendor_id"] == watchlist_key(MINE, "bidders")
    event = json.loads(stored["envelope"])
    assert event["payload"]["vendor_ids"] == ["vendor-c", VENDOR]
    assert event["recorded_by"]["subject"] == "officer"


async def _watched_by_both(pool: asyncpg.Pool) -> Any:
    """B registered, with a contract at MINE and on THEIRS's saved list; the alerts
    consumer that saw the list."""
    consumer = alerts_setup.consumer(Settings(database_url="unused"))
    await apply(pool, case_b.registered(), contract(MINE))
    await apply(pool, saved(THEIRS, "bidders 2026-04", [VENDOR]), consumer=consumer)
    return consumer


def _suspended_at(agency: str, **changes: Any) -> dict[str, Any]:
    """B suspended at one agency from yesterday, decided the day before."""
    start = TODAY - dt.timedelta(days=1)
    decided = str(start - dt.timedelta(days=1))
    return case_b.suspended(starts_on=str(start), decided_on=decided, agencies=[agency], **changes)


async def test_an_agency_is_alerted_only_when_what_bars_the_vendor_there_changes(
    pool: asyncpg.Pool,
) -> None:
    """A sanction scoped to one agency alerts that agency alone; a second one, scoped to the
    other, alerts only the other (the first's reasons there are unchanged); lifting the first
    tells the first agency it may take the vendor again, and no one else."""
    consumer = await _watched_by_both(pool)
    mine = _suspended_at(MINE)
    theirs = _suspended_at(THEIRS, sanction_id="tax-2026-002", duration_months=6)
    await announce(pool, consumer, mine)
    await announce(pool, consumer, theirs)
    await announce(pool, consumer, case_b.lifted(str(TODAY)))

    rows = await pool.fetch(
        "SELECT agency, change, eligible_again_on, reasons FROM alerts ORDER BY seq"
    )
    assert [(r["agency"], r["change"]) for r in rows] == [
        (MINE, "barred"),
        (THEIRS, "barred"),
        (MINE, "lifted"),
    ]
    assert [[x["sanction_id"] for x in json.loads(r["reasons"])] for r in rows] == [
        [mine["payload"]["sanction_id"]],
        [theirs["payload"]["sanction_id"]],
        [],
    ]
    # Each agency's own day: THEIRS's six months, not the eighteen that bar it at MINE.
    ends = [r["eligible_again_on"] for r in rows]
    assert ends[0] is not None and ends[1] is not None and ends[1] < ends[0]
    assert ends[2] is None


async def test_a_sanction_widened_to_every_agency_alerts_only_where_it_now_bars(
    pool: asyncpg.Pool,
) -> None:
    """Barred at MINE, then the same sanction amended to cover every agency, its period
    unchanged: THEIRS hears of the bar; MINE, barred by the same sanction to the same day
    as before, hears nothing (it heard PERIOD_CHANGED with the same sanction and day)."""
    consumer = await _watched_by_both(pool)
    mine = _suspended_at(MINE)
    await announce(pool, consumer, mine)
    widened = case_b.amended(effective_on=str(TODAY), cover_all=["agencies"])
    assert await announce(pool, consumer, widened)  # a change: THEIRS is barred now

    rows = await pool.fetch("SELECT agency, change, eligible_again_on FROM alerts ORDER BY seq")
    assert [(r["agency"], r["change"]) for r in rows] == [(MINE, "barred"), (THEIRS, "barred")]
    assert rows[0]["eligible_again_on"] == rows[1]["eligible_again_on"] is not None


async def test_an_announcement_seen_before_reasons_were_kept_lifts_where_it_barred(
    pool: asyncpg.Pool,
) -> None:
    """Barred at MINE alone, seen before the alerts kept announcements' reasons (an upgraded
    database: alerts migration 0003 left them null), and MINE never told (it watched the
    vendor only later): the lift tells MINE, where the registry says the vendor was barred
    the day before, and not THEIRS, where it never was."""
    consumer = await _watched_by_both(pool)
    await announce(pool, consumer, _suspended_at(MINE))
    await pool.execute("UPDATE alert_eligibility SET reasons = NULL")
    await pool.execute("DELETE FROM alerts")
    await announce(pool, consumer, case_b.lifted(str(TODAY)))
    rows = await pool.fetch("SELECT agency, change FROM alerts ORDER BY seq")
    assert [(r["agency"], r["change"]) for r in rows] == [(MINE, "lifted")]


EXPLAINED = """query ($vendorId: ID!, $agency: String) {
  bidEligibility(vendor: {vendorId: $vendorId}, agency: $agency) {
    eligibleAgainOn reasons { sanctionId } extendedBy { sanctionId startsOn endsOn }
  }
  alerts(first: 10) { edges { node { agency change eligibleAgainOn reasons { sanctionId }
                                     extendedBy { sanctionId startsOn endsOn } } } }
}"""


def _to_come(sanction_id: str, starts_on: dt.date) -> dict[str, Any]:
    """A suspension at MINE for two months from `starts_on`, decided two days before today."""
    return case_b.suspended(
        sanction_id=sanction_id,
        starts_on=str(starts_on),
        decided_on=str(TODAY - dt.timedelta(days=2)),
        duration_months=2,
        agencies=[MINE],
        policy_override_reason="start aligned to the quarter",
    )


async def test_an_eligible_again_day_a_later_sanction_makes_is_explained_by_it(
    pool: asyncpg.Pool,
) -> None:
    """Barred at MINE for two months from yesterday; a second sanction, recorded first, bars
    it from the 40th day for two months. The alert and `bidEligibility` give the second's
    end as the day it may bid again, and name it in `extendedBy`, where the reasons name only
    the first (the extra days were explained by nothing)."""
    consumer = await _watched_by_both(pool)
    start = TODAY - dt.timedelta(days=1)
    later_start = start + dt.timedelta(days=40)
    later = _to_come("tax-2026-010", later_start)
    # Not in force yet: the vendor stays eligible, and the registry says only what is to come
    # (for migration, which flags a replacement under it); no agency is alerted.
    (said,) = await announce(pool, consumer, later)
    payload = json.loads(said)["payload"]
    assert payload["eligible"], payload
    assert [r["sanction_id"] for r in payload["upcoming"]] == ["tax-2026-010"]
    assert await pool.fetchval("SELECT count(*) FROM alerts") == 0
    first = _suspended_at(MINE, duration_months=2)
    await announce(pool, consumer, first)

    admin = Principal("admin", Role.ADMIN, ())
    answer = await graphql(pool, admin, EXPLAINED, vendorId=VENDOR, agency=MINE)
    assert answer["errors"] == []
    eligibility = answer["data"]["bidEligibility"]
    (alert,) = [e["node"] for e in answer["data"]["alerts"]["edges"]]
    (extending,) = eligibility["extendedBy"]
    later_end = dt.date.fromisoformat(extending["endsOn"])
    assert extending == {
        "sanctionId": "tax-2026-010",
        "startsOn": str(later_start),
        "endsOn": str(later_end),
    }
    assert later_end > start + dt.timedelta(days=90)
    for told in (eligibility, alert):
        assert told["reasons"] == [{"sanctionId": first["payload"]["sanction_id"]}]
        assert told["eligibleAgainOn"] == str(later_end + dt.timedelta(days=1))
        assert told["extendedBy"] == [extending]
    assert (alert["agency"], alert["change"]) == (MINE, "BARRED")
    # The alert.raised event (and so the webhook's body) carries it too.
    (raised,) = await pool.fetch("SELECT event FROM alert_outbox")
    extended_by = json.loads(raised["event"])["payload"]["extended_by"]
    assert [r["sanction_id"] for r in extended_by] == ["tax-2026-010"]


LIFTS = """{ alerts(first: 10) { edges { node {
  agency change eligibleAgainOn upcoming { sanctionId startsOn endsOn } } } } }"""


async def test_a_lift_that_leaves_a_bar_to_come_says_it(pool: asyncpg.Pool) -> None:
    """An exploratory tester's finding: a suspension lifted while a second sanction is
    already recorded to bar the vendor later was told as a plain lift (`eligibleAgainOn`
    null, nothing of what is to come). The lift's alert names the bar to come there, and
    nothing where it does not reach; the alert.raised event (the webhook's body) too."""
    consumer = await _watched_by_both(pool)
    await announce(pool, consumer, _suspended_at(MINE))
    start = TODAY - dt.timedelta(days=1)
    later_start = start + dt.timedelta(days=60)
    later = _to_come("tax-2026-011", later_start)
    await announce(pool, consumer, later)
    await pool.execute("DELETE FROM alert_outbox")
    await announce(pool, consumer, case_b.lifted(str(TODAY)))
    answer = await graphql(pool, Principal("admin", Role.ADMIN, ()), LIFTS)
    assert answer["errors"] == []
    alerts = [e["node"] for e in answer["data"]["alerts"]["edges"]]
    lift = [a for a in alerts if a["change"] == "LIFTED"]
    assert len(lift) == 1 and lift[0]["agency"] == MINE and lift[0]["eligibleAgainOn"] is None
    (to_come,) = lift[0]["upcoming"]
    assert to_come["sanctionId"] == "tax-2026-011" and to_come["startsOn"] == str(later_start)
    assert all(a["upcoming"] == [] for a in alerts if a["change"] != "LIFTED")
    (raised,) = await pool.fetch("SELECT event FROM alert_outbox")
    upcoming = json.loads(raised["event"])["payload"]["upcoming"]
    assert [r["sanction_id"] for r in upcoming] == ["tax-2026-011"]


async def test_an_alert_applied_again_after_a_lift_gives_the_day_it_gave_live(
    pool: asyncpg.Pool,
) -> None:
    """B barred at MINE (its contract), then lifted. The alerts consumer applied again from
    nothing (as a rebuild of the alerts would) gives the BARRED alert the day it gave live:
    the registry's answer for MINE as known when the log recorded the announcement, not as
    known now (after the lift: no day at all)."""
    log = AlertLog(pool)
    await log.record(case_b.registered(), contract(MINE))
    await log.record(suspended())
    await log.record(case_b.lifted(str(TODAY)))
    live = await alerted(pool)
    assert [(a[1], a[3]) for a in live] == [(MINE, "barred"), (MINE, "lifted")]
    assert live[0][5] is not None  # its eligible_again_on
    await log.replay(from_nothing=True)
    assert await alerted(pool) == live
