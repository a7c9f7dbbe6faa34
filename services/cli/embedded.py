"""Embedded mode: every service and the API in one process over PostgreSQL alone."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from functools import partial
from pathlib import Path

import asyncpg

from services.alerts import handlers as alert_handlers
from services.alerts.webhooks import WebhookConfig, run_deliveries
from services.cli.consumers import service_consumers, services_use
from services.cli.serving import Background, serving
from services.gateway.app import create_app
from services.gateway.context import handled_by, request_context
from services.ingest.handlers import Accepted, IngestOutcome, ingest_batch
from services.migration import planner, planner_queue
from services.migration.plan_opening import OUTBOX as MIGRATION_OUTBOX
from services.platform.clock import CALENDAR_CHECK_SECONDS
from services.platform.consuming.outbox import RELAY_SECONDS, Outbox, relay_when_put
from services.platform.consuming.rebuilt_notices import forget_when_rebuilt
from services.platform.consuming.running_settings import Used, same_zone, this_process
from services.platform.eventlog.base import Writer
from services.platform.eventlog.embedded import Accept, EmbeddedEventLog, follow, run_consumers
from services.platform.eventlog.own_appends import OwnAppends
from services.platform.eventstore.chain_watch import ChainWatch
from services.platform.graphql.broadcast import Broadcaster
from services.platform.operations.database_gauges import measured_store_lags
from services.platform.operations.database_probe import database_probe
from services.platform.operations.liveness import Liveness
from services.platform.operations.retry import note_failure, until_done
from services.platform.operations.start_up import StartUp
from services.platform.postgres import embedded_postgres
from services.platform.postgres.database import (
    Opening,
    at_once,
    close_pool,
    keyed_lookups_pool,
    open_pool,
    redacted,
)
from services.platform.security.auth import AuthConfig, TokenVerifier
from services.platform.settings import Settings
from services.registry import announcements as registry_announcements
from services.registry import jobs as registry_jobs
from services.registry.api.graphql_context import NAME_INDEX
from services.registry.domain.policy import SuspensionPolicy
from services.registry.handlers import CONSUMER_NAME as REGISTRY_CONSUMER
from services.risk import handlers as risk_handlers
from services.risk import jobs as risk_jobs
from services.risk.handlers import RiskService


async def run_relays(
    pool: asyncpg.Pool,
    log: EmbeddedEventLog,
    live: Liveness,
    fallback_seconds: float = RELAY_SECONDS,
    caught_up: asyncio.Event | None = None,
) -> None:
    """Moves the services' emitted events from their outboxes into the log as soon as they
    commit (woken by the outboxes' notices), and every `fallback_seconds` regardless;
    `caught_up` is set once what was put before it started is relayed."""

    async def relay(outbox: Outbox) -> None:
        await until_done(partial(outbox.relay_all, pool, log), f"{outbox.table} relay", live)

    outboxes = (
        registry_announcements.OUTBOX,
        risk_handlers.OUTBOX,
        MIGRATION_OUTBOX,
        alert_handlers.OUTBOX,
    )
    await relay_when_put(pool, outboxes, relay, fallback_seconds, caught_up)


async def relay_announcements(
    pool: asyncpg.Pool, log: EmbeddedEventLog, live: Liveness, broadcaster: Broadcaster
) -> None:
    """The registry's announcements handed to this process's subscribers and relayed as soon
    as it has applied a batch (its consumer's `then`), before risk, migration and alerts take
    that batch and share the event loop with the relay (after the relay loop's, if the
    outbox's notice woke that one first).

    The subscribers have them as they stand committed in the outbox, not when the relay's
    ingest has committed them to the log (a transaction later, or the relay loop's whole
    relay later when that one holds the outbox): they are what the log will hold, with the
    same ids, and the broadcaster passes over the copies ingest and `follow` publish again.
    They are read in the order put, the registry's order, after its batch committed, so a
    vendor's announcements reach subscribers in order whichever way each comes first.
    A failure is left to the relay loop, which relays on the next notice or poll (the
    subscribers then have them at its ingest's commit); it is recorded on that loop's
    liveness."""
    outbox = registry_announcements.OUTBOX
    try:
        for announcement in await outbox.committed(pool):
            broadcaster.publish(announcement)
        await outbox.relay_all(pool, log, wait=True)
    except Exception as error:  # the relay loop relays them: recorded, not lost
        note_failure(live, f"{outbox.table} relay", error)


async def run_calendar(
    pool: asyncpg.Pool, settings: Settings, risk: RiskService, live: Liveness
) -> None:
    """The services' daily work (announcements of what the date changed, risk decay)."""
    while True:
        registry_day = partial(registry_jobs.calendar, pool, settings.clock)
        await until_done(registry_day, "registry calendar", live)
        await until_done(partial(risk_jobs.calendar, pool, risk), "risk calendar", live)
        await asyncio.sleep(CALENDAR_CHECK_SECONDS)


async def run_planner(pool: asyncpg.Pool, settings: Settings, live: Liveness) -> None:
    """Schedules the migration plans whose inputs changed: each pass starts the solves due
    and goes on, so that a long solve holds up no other plan (planner_queue.py)."""
    queue = planner_queue.PlanQueue(pool, settings.clock)
    try:
        while True:
            await until_done(partial(queue.pass_for, planner.PLANNER_SECONDS), "planner", live)
            await asyncio.sleep(planner.PLANNER_SECONDS)
    finally:
        await queue.close()


def _no_watch() -> None:
    """An external PostgreSQL is not `up`'s to start: out of reach, it is waited for."""


@contextlib.asynccontextmanager
async def database(
    database_url: str | None, data_dir: Path
) -> AsyncIterator[tuple[str, Callable[[], None]]]:
    """`up`'s database: the given URL, or the embedded PostgreSQL in `data_dir`, kept
    running (started again if it stops under `up`). With the URL, what `up` calls as it
    starts to stop: it stops that watch (embedded_postgres.kept_running)."""
    if database_url:
        yield database_url, _no_watch
        return
    async with embedded_postgres.kept_running(data_dir) as kept:
        yield kept


def publishing(broadcaster: Broadcaster, own: OwnAppends) -> Accept:
    """Ingest that hands each event it stored to this process's subscribers as soon as it has
    committed, rather than when `follow` reads it back (a notice, a read and a parse later),
    and to this process's readers of the log (`own`: the registry's consumer and `follow`),
    which then need not read the log for it. Events appended by other processes reach them
    through the log alone; the broadcaster passes over what it has had."""

    async def accept(
        pool: asyncpg.Pool, raws: Sequence[bytes], writer: Writer
    ) -> list[IngestOutcome]:
        outcomes = await ingest_batch(pool, raws, writer, notice=own.notice)
        stored = [
            (outcome.place, outcome.envelope)
            for outcome in outcomes
            if isinstance(outcome, Accepted) and outcome.place is not None
        ]
        for _, event in stored:
            broadcaster.publish(event)
        own.stored(stored)
        if stored:
            # One turn of the loop for the readers just handed them: the registry's first
            # statement is then on its way while the caller (a mutation) writes its answer.
            await asyncio.sleep(0)
        return outcomes

    return accept


@contextlib.asynccontextmanager
async def embedded_log(
    opened: Callable[[], Awaitable[asyncpg.Pool]], broadcaster: Broadcaster, own: OwnAppends
) -> AsyncIterator[tuple[asyncpg.Pool, EmbeddedEventLog]]:
    pool = await opened()
    try:
        yield pool, EmbeddedEventLog(pool, publishing(broadcaster, own))
    finally:
        await close_pool(pool)


async def _opened(url: str, used: Used) -> asyncpg.Pool:
    """The pool, once no process running on the database dates by another time zone than
    this one (`running_settings.same_zone`)."""
    pool = await open_pool(url)
    try:
        await same_zone(pool, used)
    except BaseException:
        await close_pool(pool)
        raise
    return pool


async def run_up(
    settings: Settings,
    policies: Mapping[str, SuspensionPolicy],
    risk: RiskService,
    auth: AuthConfig,
    host: str,
    port: int,
    *,
    external: bool,
    on_stop: Callable[[], None] = _no_watch,
) -> None:
    """Serves from the start; an `external` PostgreSQL (--database-url) out of reach is
    waited for meanwhile (operations/start_up.py). The embedded one, just started by this
    process, is no outage to wait out: failing to open it fails the start. The policies and
    the risk model come read, as the settings come checked: before that PostgreSQL started.
    `on_stop` is called when a stop signal comes (`database`'s)."""
    url = settings.database_url
    broadcaster, chain, own = Broadcaster(), ChainWatch(url), OwnAppends()
    used = services_use(settings, policies, risk)
    start_up = StartUp()
    opening: Opening = at_once
    if external:
        opening = partial(start_up.wait_for, "database", redacted(url))
    async with (
        serving(
            host,
            port,
            start_up,
            access_log=settings.access_log,
            forwarded_allow_ips=settings.forwarded_allow_ips,
            on_stop=on_stop,
        ) as server,
        embedded_log(partial(opening, partial(_opened, url, used)), broadcaster, own) as (
            pool,
            log,
        ),
        keyed_lookups_pool(url, opening) as lookups,
        database_probe(url) as probe,
    ):
        # The consumers of the validated log, in the order they are started.
        subscribed = service_consumers(settings, policies, risk)
        consuming = [Liveness(consumer.name) for consumer in subscribed]
        jobs = {
            name: Liveness(name, "job")
            for name in (
                "consumers",
                "chain",
                "relays",
                "calendar",
                "planner",
                "broadcast",
                "name index",
                "rebuilds",
            )
        }
        # Alerts are delivered by this process when a webhook is configured.
        webhooks = WebhookConfig.of(settings)
        deliveries: Background = {}
        if webhooks is not None:
            jobs["webhooks"] = Liveness("webhooks", "job")
            deliver = partial(run_deliveries, pool, webhooks, jobs["webhooks"])
            deliveries = {"webhooks": (deliver, jobs["webhooks"])}
        lags = partial(measured_store_lags, pool, [consumer.name for consumer in subscribed])
        context = request_context(
            pool, log, settings, policies, broadcaster, risk, handled_by(subscribed), lookups
        )
        await server.run(
            create_app(
                context,
                TokenVerifier(auth),
                [*consuming, *jobs.values()],
                chain=chain,
                lags=lags,
                database=probe,
            ),
            {
                # Each consumer reports on its own; "consumers" is their task as a whole.
                "consumers": (
                    partial(
                        run_consumers,
                        pool,
                        subscribed,
                        consuming,
                        {
                            REGISTRY_CONSUMER: partial(
                                relay_announcements, pool, log, jobs["relays"], broadcaster
                            )
                        },
                        own,
                    ),
                    jobs["consumers"],
                ),
                "chain": (partial(chain.run, pool, jobs["chain"]), jobs["chain"]),
                "relays": (partial(run_relays, pool, log, jobs["relays"]), jobs["relays"]),
                "calendar": (
                    partial(run_calendar, pool, settings, risk, jobs["calendar"]),
                    jobs["calendar"],
                ),
                "planner": (partial(run_planner, pool, settings, jobs["planner"]), jobs["planner"]),
                "broadcast": (
                    partial(follow, pool, broadcaster.publish, own),
                    jobs["broadcast"],
                ),
                # Built at start, then kept up to date; searches refresh it too.
                "name index": (
                    partial(context.part(NAME_INDEX).follow, pool, jobs["name index"]),
                    jobs["name index"],
                ),
                # The caches a rebuild's commit leaves stale, forgotten when it commits; and
                # what this process judges with, said to the rebuilds, which compare theirs.
                "rebuilds": (
                    partial(
                        forget_when_rebuilt,
                        pool,
                        this_process("vendorwatch up"),
                        used,
                    ),
                    jobs["rebuilds"],
                ),
                **deliveries,
            },
        )
