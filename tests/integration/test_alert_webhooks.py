"""Alerts delivered to the agencies' webhooks, on a real PostgreSQL with a real HTTP receiver
(the standard library's server in a thread): one signed alert per change and agency, applied
again without a second one; a receiver down until its retries reach the backoff's cap still
gets each alert once; a delivery follows the webhook configured now, or waits for one; a
webhook's credentials are sent, never shown or logged."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import time
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
from services.platform.consuming.consumer import apply_serialized_batch
from services.platform.operations.liveness import Liveness
from services.platform.operations.logs import configure_logging
from services.platform.security.auth import Principal, Role
from tests.support import case_b
from tests.support.alert_announcing import EXTENDED, SECRET, alert_settings, announce
from tests.support.alert_events import MINE, THEIRS, TODAY, VENDOR, contract, saved, suspended
from tests.support.in_process_api import graphql
from tests.support.processes import eventually
from tests.support.registry_db import apply
from tests.support.webhook_receiver import Receiver, free_port

pytestmark = pytest.mark.postgres


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
    config = alert_settings(receiver.url)
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
    config = alert_settings("http://receiver.invalid/alerts")
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
    raised_with = alert_settings("http://127.0.0.1:9/old")
    await three_changes(pool, alerts_setup.consumer(raised_with))
    assert len(await deliveries(pool)) == 3
    unconfigured = WebhookConfig.of(raised_with.model_copy(update={"alert_webhooks": {}}))
    assert unconfigured is not None
    async with httpx.AsyncClient() as client:
        assert await deliver_all_due(pool, client, unconfigured) == 0
        assert all(d["attempts"] == 0 for d in await deliveries(pool))
        corrected = WebhookConfig.of(alert_settings(receiver.url))
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
    raised_with = alert_settings(down).model_copy(update={"alert_retry_first_seconds": 60.0})
    await three_changes(pool, alerts_setup.consumer(raised_with))
    refused = WebhookConfig.of(raised_with)
    taken_out = WebhookConfig.of(raised_with.model_copy(update={"alert_webhooks": {}}))
    corrected = WebhookConfig.of(alert_settings(receiver.url))
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
    raised_with = alert_settings(url)
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


async def test_a_receiver_down_past_the_backoff_cap_gets_each_alert_once(
    pool: asyncpg.Pool, receiver: Receiver
) -> None:
    config = alert_settings(receiver.url)
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
