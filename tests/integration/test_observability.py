"""/readyz and /metrics of the API on a real PostgreSQL: readiness follows the database and the
consumers' lag; the metrics parse as Prometheus text and move as events are applied."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial

import asyncpg
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from services.gateway.app import create_app
from services.ingest.handlers import ingest_batch
from services.platform.eventlog.embedded import EmbeddedEventLog, drain
from services.platform.operations.database_gauges import measured_store_lags
from services.platform.operations.readiness import CAUGHT_UP_EVENTS
from services.platform.postgres.database import open_pool
from services.platform.security.auth import AuthConfig, TokenVerifier
from services.registry.announcements import OUTBOX
from tests.support import case_b, postgres
from tests.support.event_examples import envelope
from tests.support.in_process_api import shared_context
from tests.support.principals import TEST_SECRET, token
from tests.support.registry import REGISTRY, TOKYO, FixedClock, consumer
from tests.support.registry_db import apply

pytestmark = pytest.mark.postgres

CONSUMER = REGISTRY.name


def _client(pool: asyncpg.Pool) -> httpx.AsyncClient:
    """The API as `vendorwatch up` serves it: /readyz knows the in-process consumer's lag."""
    app = create_app(
        shared_context(pool),
        TokenVerifier(AuthConfig(hs256_secret=TEST_SECRET)),
        lags=partial(measured_store_lags, pool, [CONSUMER]),
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api")


@pytest.fixture
async def api(pool: asyncpg.Pool) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(pool) as client:
        yield client


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of the exposition by name and labels (parsed as Prometheus parses it)."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    """The sum of the samples of `name` with these labels; refused if there is none, so that a
    metric gone or renamed fails the test rather than reading as 0."""
    matching = [
        value
        for (sample, sample_labels), value in samples.items()
        if sample == name and set(labels.items()) <= sample_labels
    ]
    if not matching:
        raise AssertionError(f"no sample of {name} with labels {labels} in the exposition")
    return sum(matching)


def _counted_before(
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    """A counter's value before the step a test counts: 0 if it has no sample yet, as a counter
    with labels has none until this process first counts it (the later reading, which must
    exist, is taken with `_value`)."""
    try:
        return _value(samples, name, **labels)
    except AssertionError:
        return 0.0


async def _scrape(api: httpx.AsyncClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = await api.get("/metrics")  # no token: scrapers have none
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return _samples(response.text)


def _registrations(count: int) -> list[bytes]:
    return [case_b.line(case_b.another_vendor(f"vendor-{n:05d}")) for n in range(count)]


async def test_ready_only_once_the_consumer_is_within_one_batch_of_the_log(
    pool: asyncpg.Pool, api: httpx.AsyncClient
) -> None:
    ready = await api.get("/readyz")
    assert ready.status_code == 200, ready.json()
    assert ready.json()["checks"]["migrations"] == {"ready": True, "detail": "all applied"}

    await ingest_batch(pool, _registrations(CAUGHT_UP_EVENTS + 1))
    behind = await api.get("/readyz")
    assert behind.status_code == 503
    body = behind.json()
    assert body["status"] == "not ready"
    assert body["not_ready"] == [f"consumer {CONSUMER}"]
    assert body["checks"][f"consumer {CONSUMER}"]["lag"] == CAUGHT_UP_EVENTS + 1
    assert (
        f"{CAUGHT_UP_EVENTS + 1} events behind" in body["checks"][f"consumer {CONSUMER}"]["detail"]
    )
    assert body["checks"]["database"]["ready"] is True

    await drain(pool, REGISTRY)
    caught_up = await api.get("/readyz")
    assert caught_up.status_code == 200
    assert caught_up.json()["checks"][f"consumer {CONSUMER}"]["lag"] == 0


async def test_not_ready_while_the_database_is_unreachable(
    test_databases: postgres.TestDatabases,
) -> None:
    url = await test_databases.create()
    pool = await open_pool(url)
    try:
        async with _client(pool) as api:
            assert (await api.get("/readyz")).status_code == 200
            # The database goes away under the running API (its connections with it).
            await test_databases.drop(url)
            gone = await api.get("/readyz")
            assert gone.status_code == 503
            body = gone.json()
            assert body["not_ready"] == ["database"]
            assert body["checks"]["database"]["detail"].startswith("unreachable: ")
            # Not a schema to migrate: they could not be asked. Named as failing, an outage
            # read as pending migrations.
            assert body["checks"]["migrations"] == {
                "ready": None,
                "detail": "unchecked: the database is unreachable",
            }
            # /metrics still answers: the process's own counters are worth serving.
            assert (await api.get("/metrics")).status_code == 200
    finally:
        await pool.close()


async def test_metrics_show_the_lag_and_the_delays_moving(
    pool: asyncpg.Pool, api: httpx.AsyncClient
) -> None:
    before = await _scrape(api)
    applied_before = _counted_before(
        before, "vendorwatch_events_applied_total", service=CONSUMER, event_type="vendor.registered"
    )
    delays_before = _counted_before(
        before, "vendorwatch_appended_to_applied_seconds_count", service=CONSUMER
    )
    assert _value(before, "vendorwatch_consumer_lag_events", consumer=CONSUMER) == 0

    await ingest_batch(pool, _registrations(40))
    waiting = await _scrape(api)
    # Per partition: the 40 events spread over the store's partitions, none applied yet.
    lags = {
        dict(labels)["partition"]: value
        for (name, labels), value in waiting.items()
        if name == "vendorwatch_consumer_lag_events" and ("consumer", CONSUMER) in labels
    }
    assert sum(lags.values()) == 40 and len(lags) == 6
    assert _value(waiting, "vendorwatch_events_applied_total", service="ingest") >= 40

    await drain(pool, REGISTRY)
    after = await _scrape(api)
    assert _value(after, "vendorwatch_consumer_lag_events", consumer=CONSUMER) == 0
    applied = _value(
        after, "vendorwatch_events_applied_total", service=CONSUMER, event_type="vendor.registered"
    )
    assert applied - applied_before == 40
    delays = _value(after, "vendorwatch_appended_to_applied_seconds_count", service=CONSUMER)
    assert delays - delays_before == 40
    assert _value(after, "vendorwatch_occurred_to_applied_seconds_sum", service=CONSUMER) > 0


async def test_ingests_refusals_count_as_its_dead_letters_do(
    pool: asyncpg.Pool, api: httpx.AsyncClient
) -> None:
    """Labelled with the type each letter records, and counted once per letter: the same bad
    bytes sent again moved the counter and not the letters, and refusals of known types (a
    field of the wrong type, an emitted type from outside) were all `unreadable`."""
    wrong_type = case_b.suspended(duration_months="eighteen")
    emitted = envelope("vendor.eligibility_changed", {}, case_b.VENDOR)
    inputs = [b"{not json", case_b.line(wrong_type), case_b.line(emitted)]
    refused = "vendorwatch_events_refused_total"
    labels = {"unreadable": 1, "sanction.imposed": 1, "vendor.eligibility_changed": 1}
    before = await _scrape(api)
    counted = {t: _counted_before(before, refused, service="ingest", event_type=t) for t in labels}
    await ingest_batch(pool, inputs)
    await ingest_batch(pool, inputs)  # resent: refused again, each letter kept once
    after = await _scrape(api)
    moved = {
        t: _counted_before(after, refused, service="ingest", event_type=t) - counted[t]
        for t in labels
    }
    assert moved == labels
    letters = await pool.fetch("SELECT event_type FROM dead_letters WHERE stage = 'ingest'")
    assert sorted(r["event_type"] or "unreadable" for r in letters) == sorted(labels)


async def test_metrics_show_the_outbox_backlog_until_it_is_relayed(
    pool: asyncpg.Pool, api: httpx.AsyncClient
) -> None:
    """An operator sees announcements waiting to reach the log: the gauge is the outbox's rows
    as the database holds them, and falls to 0 once the relay has pushed them."""
    await apply(pool, case_b.registered(), case_b.suspended(), consumer=consumer(FixedClock(TOKYO)))
    waiting = await pool.fetchval("SELECT count(*) FROM registry_outbox")
    assert waiting == 1  # the suspension's eligibility change, not yet relayed
    backlog = "vendorwatch_outbox_backlog_events"
    assert _value(await _scrape(api), backlog, outbox="registry_outbox") == waiting

    assert await OUTBOX.relay(pool, EmbeddedEventLog(pool, ingest_batch)) == waiting
    assert await pool.fetchval("SELECT count(*) FROM registry_outbox") == 0
    assert _value(await _scrape(api), backlog, outbox="registry_outbox") == 0


async def test_graphql_latency_is_recorded_by_operation_name(
    pool: asyncpg.Pool, api: httpx.AsyncClient
) -> None:
    counted = "vendorwatch_graphql_request_seconds_count"
    before = _counted_before(await _scrape(api), counted, operation="DeadLetterCount")
    response = await api.post(
        "/graphql",
        json={"query": "query DeadLetterCount { deadLetters { totalCount } }"},
        headers={"Authorization": f"Bearer {token()}", "X-Request-ID": "req-42"},
    )
    assert response.status_code == 200 and "errors" not in response.json()
    assert response.headers["x-request-id"] == "req-42"
    assert _value(await _scrape(api), counted, operation="DeadLetterCount") == before + 1
