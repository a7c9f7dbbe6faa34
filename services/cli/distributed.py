"""Distributed mode's API: the GraphQL API as its own process, submitting into Kafka (the
workers are `workers.py`)."""

from __future__ import annotations

from functools import partial

from services.cli.consumers import service_consumers, services_use
from services.cli.listening import ensure_port_free
from services.cli.serving import serving
from services.gateway.app import create_app
from services.gateway.context import handled_by, request_context
from services.platform.consuming.rebuilt_notices import forget_when_rebuilt
from services.platform.consuming.running_settings import same_zone, this_process
from services.platform.eventlog.kafka import KafkaEventLog, follow, reach
from services.platform.eventlog.topics import ensure_topics
from services.platform.eventstore.chain_watch import ChainWatch
from services.platform.graphql.broadcast import Broadcaster
from services.platform.operations.database_probe import database_probe
from services.platform.operations.liveness import Liveness
from services.platform.operations.start_up import StartUp
from services.platform.postgres.database import (
    close_pool,
    keyed_lookups_pool,
    open_pool,
    redacted,
)
from services.platform.security.auth import AuthConfig, TokenVerifier
from services.platform.settings import Settings
from services.registry import setup as registry
from services.registry.api.graphql_context import NAME_INDEX
from services.risk import setup as risk


async def run_api(settings: Settings, auth: AuthConfig, host: str, port: int) -> None:
    """Serves from the start, waiting for PostgreSQL and then Kafka meanwhile
    (operations/start_up.py), then the API until stopped."""
    url, bootstrap, credentials = (
        settings.database_url,
        settings.kafka_bootstrap,
        settings.kafka_credentials,
    )
    assert bootstrap is not None
    # Read before any wait: a policy or a model that cannot be used was said once PostgreSQL
    # and Kafka had been waited for.
    policies, scoring = registry.policies(settings), risk.service(settings)
    ensure_port_free(host, port)
    start_up = StartUp()
    async with serving(
        host,
        port,
        start_up,
        access_log=settings.access_log,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    ) as server:
        # Both pools in the wait: PostgreSQL gone since the first opened is waited for again.
        waiting_for_database = partial(start_up.wait_for, "database", redacted(url))
        pool = await waiting_for_database(partial(open_pool, url))
        used = services_use(settings, policies, scoring)
        await waiting_for_database(partial(same_zone, pool, used))
        log = KafkaEventLog(bootstrap, credentials, acknowledged_within=settings.broker_ack_seconds)
        try:
            async with (
                keyed_lookups_pool(url, waiting_for_database) as lookups,
                database_probe(url) as probe,
            ):
                await start_up.wait_for("kafka", bootstrap, partial(_reach_kafka, settings, log))
                broadcaster, chain = Broadcaster(), ChainWatch(url)
                consumers = service_consumers(settings, policies, scoring)
                context = request_context(
                    pool,
                    log,
                    settings,
                    policies,
                    broadcaster,
                    scoring,
                    handled_by(consumers),
                    lookups,
                )
                jobs = {
                    name: Liveness(name, "job")
                    for name in ("broadcast", "chain", "name index", "rebuilds")
                }
                kafka = partial(reach, bootstrap, credentials)
                broadcast = partial(follow, bootstrap, credentials, pool, broadcaster.publish)
                await server.run(
                    create_app(
                        context,
                        TokenVerifier(auth),
                        list(jobs.values()),
                        chain=chain,
                        kafka=kafka,
                        database=probe,
                    ),
                    {
                        "broadcast": (broadcast, jobs["broadcast"]),
                        "chain": (partial(chain.run, pool, jobs["chain"]), jobs["chain"]),
                        # Built at start, then kept up to date; searches refresh it too.
                        "name index": (
                            partial(context.part(NAME_INDEX).follow, pool, jobs["name index"]),
                            jobs["name index"],
                        ),
                        # The caches a rebuild's commit leaves stale, forgotten when it
                        # commits; and what the API judges with, said to the rebuilds.
                        "rebuilds": (
                            partial(
                                forget_when_rebuilt,
                                pool,
                                this_process("vendorwatch api"),
                                used,
                            ),
                            jobs["rebuilds"],
                        ),
                    },
                )
        finally:
            await log.stop()
            await close_pool(pool)


async def _reach_kafka(settings: Settings, log: KafkaEventLog) -> None:
    """The topics there, then the producer started: in one wait, so that Kafka gone since
    the topics were created is waited for as at the start."""
    assert settings.kafka_bootstrap is not None
    credentials = settings.kafka_credentials
    await ensure_topics(settings.kafka_bootstrap, settings.kafka_replication_factor, credentials)
    await log.start()
