"""A webhook delivery that fails in a way of its own, on a real PostgreSQL with real
receivers: a URL httpx cannot parse raised out of the whole round, and the other agencies'
deliveries claimed with it were neither attempted nor recorded (a tester's finding); a
failure's text, kept as `lastError` and shown to integrators, carried the URL's token."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from services.alerts import setup as alerts_setup
from services.alerts.webhooks import WebhookConfig, deliver_due
from services.platform.consuming.consumer import apply_serialized_batch
from services.platform.security.auth import Principal, Role
from services.platform.settings import Settings
from tests.support import case_b
from tests.support.alert_events import MINE, THEIRS, contract, suspended
from tests.support.in_process_api import graphql
from tests.support.registry_db import apply, outbox
from tests.support.webhook_receiver import Receiver, free_port

pytestmark = pytest.mark.postgres

# A password holding an unescaped `#` (httpx ends the userinfo there and reads its start as
# a port), and a token in the query.
SECRETS = ("hookuser", "Hook", "Pw123", "QueryTok999")
DELIVERIES = "{ alerts(first: 10) { edges { node { delivery { state attempts lastError } } } } }"


async def barred_with_webhooks(pool: asyncpg.Pool, urls: dict[str, str]) -> WebhookConfig:
    """B barred while in contract with MINE and THEIRS: one alert each, raised with a
    delivery to their webhooks in `urls`; the deliveries' configuration."""
    settings = Settings(
        database_url="unused", alert_webhooks=urls, alert_webhook_secret="failures-secret"
    )
    consumer = alerts_setup.consumer(settings)
    await apply(pool, case_b.registered(), contract(MINE), contract(THEIRS), suspended())
    await apply_serialized_batch(
        pool, consumer, [json.dumps(e).encode() for e in await outbox(pool)]
    )
    config = WebhookConfig.of(settings)
    assert config is not None
    return config


async def last_errors(pool: asyncpg.Pool, agency: str) -> list[tuple[str, int, str | None]]:
    """The agency's deliveries as its system owner reads them in the API."""
    owner = Principal(f"owner-{agency}", Role.SYSTEM_OWNER, (agency,))
    answer = await graphql(pool, owner, DELIVERIES)
    assert answer["errors"] == []
    return [
        (d["state"], d["attempts"], d["lastError"])
        for d in (e["node"]["delivery"] for e in answer["data"]["alerts"]["edges"])
    ]


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://hookuser:Hook#Pw123@127.0.0.1:{port}/hooks?token=QueryTok999", "InvalidURL: "),
        ("http://hookuser:HookPw123@127.0.0.1:99999/hooks?token=QueryTok999", "OverflowError: "),
    ],
)
async def test_a_url_httpx_cannot_use_fails_its_delivery_alone(
    pool: asyncpg.Pool, url: str, why: str
) -> None:
    """THEIRS's webhook is a URL httpx cannot parse, or with a port no socket takes (the
    settings refuse both now; a deployment's URL they let through): MINE's delivery, in the
    same round, is delivered; THEIRS's fails, said why without the URL's credentials, and is
    tried again by the usual rules."""
    receiver = Receiver(free_port())
    receiver.start()
    try:
        config = await barred_with_webhooks(pool, {MINE: receiver.url, THEIRS: receiver.url})
        bad = url.format(port=receiver.port)
        config = dataclasses.replace(config, urls={MINE: receiver.url, THEIRS: bad})
        async with httpx.AsyncClient() as client:
            assert await deliver_due(pool, client, config) == 2
    finally:
        receiver.stop()
    assert len(receiver.received) == 1
    assert await last_errors(pool, MINE) == [("DELIVERED", 1, None)]
    [(state, attempts, error)] = await last_errors(pool, THEIRS)
    assert (state, attempts) == ("PENDING", 1)
    assert error is not None and error.startswith(why), error
    assert not any(secret in error for secret in SECRETS), error


@contextlib.asynccontextmanager
async def echoing() -> AsyncIterator[int]:
    """A receiver that speaks no HTTP and sends back what it was sent (an echo service the
    webhook was pointed at); its port."""

    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(await reader.read(65536))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    async with server:
        yield server.sockets[0].getsockname()[1]


async def echoed_error(pool: asyncpg.Pool, user: str) -> str:
    """MINE's `lastError` after one attempt to an echoing receiver at
    `http://USER:HookPw123@…/hooks?token=QueryTok999`: httpx's text for the answer quotes
    the request line it got back, the URL's path and query."""
    async with echoing() as port:
        url = f"http://{user}:HookPw123@127.0.0.1:{port}/hooks?token=QueryTok999"
        config = await barred_with_webhooks(pool, {MINE: url})
        async with httpx.AsyncClient() as client:
            assert await deliver_due(pool, client, config) == 1
    [(state, attempts, error)] = await last_errors(pool, MINE)
    assert (state, attempts) == ("PENDING", 1)
    assert error is not None and error.startswith("RemoteProtocolError: illegal status line"), error
    return error


async def test_a_failures_text_quoting_the_url_keeps_none_of_its_credentials(
    pool: asyncpg.Pool,
) -> None:
    """The token in the request line was kept as `lastError`, and shown to the agency's
    integrators. It is kept without it, saying what failed."""
    error = await echoed_error(pool, "hookuser")
    assert "POST /hooks?" in error, error
    assert not any(secret in error for secret in ("hookuser", "HookPw123", "QueryTok999")), error


async def test_a_failures_text_keeps_the_path_its_user_is_named_like(pool: asyncpg.Pool) -> None:
    """User `hooks` of the path `/hooks`: the request line was kept as `POST /***?***`,
    which hid the path the receiver was sent to as if it were a credential."""
    error = await echoed_error(pool, "hooks")
    assert "POST /hooks?*** HTTP/1.1" in error, error
    assert not any(secret in error for secret in ("HookPw123", "QueryTok999")), error
