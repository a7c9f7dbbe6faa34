"""`vendorwatch up`, `worker` and `api`: the long-running processes of either mode."""

from __future__ import annotations

import os
from pathlib import Path

import click

from services.cli import distributed, embedded, instances
from services.cli.running import LOG_LEVELS, configure, run
from services.cli.serving import ensure_port_free
from services.console import sign_in
from services.platform.auth import Role, auth_config, issue_token
from services.platform.errors import StartupError
from services.platform.eventlog.faust_runtime import HealthEndpoint
from services.platform.settings import Settings, default_data_dir


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Embedded PostgreSQL data directory (kept across runs). "
    "Default: $VENDORWATCH_DATA_DIR or the user data directory.",
)
@click.option("--database-url", envvar="DATABASE_URL", help="Use this PostgreSQL instead.")
@click.option("--log-level", type=LOG_LEVELS, default="info", show_default=True)
def up(
    host: str, port: int, data_dir: Path | None, database_url: str | None, log_level: str
) -> None:
    """Embedded mode: all services and the GraphQL API in one process."""
    configure(log_level)

    async def main() -> None:
        ensure_port_free(host, port)  # before a token is printed for a server that cannot start
        home = (data_dir or default_data_dir()).expanduser().resolve()
        auth = auth_config(os.environ, home)
        origin = f"http://{host}:{port}"
        graphql = f"{origin}/graphql"
        async with embedded.database(database_url, home) as url:
            # Where it runs, for the other commands (database_choice.py), while it runs.
            here = instances.Instance(os.getpid(), url, home, database_url is None, graphql)
            with instances.recorded(here):
                click.echo(f"VendorWatch GraphQL at {graphql}")
                if auth.hs256_secret is not None:
                    token = issue_token(auth.hs256_secret, subject="local-admin", role=Role.ADMIN)
                    click.echo(
                        f"Local admin token (12 h; more: vendorwatch token create):\n{token}"
                    )
                    link = issue_token(
                        auth.hs256_secret,
                        subject="local-admin",
                        role=Role.ADMIN,
                        ttl=sign_in.LINK_LIFETIME,
                    )
                    click.echo(
                        "Console for the local admin (this link signs in for an hour):\n"
                        + sign_in.sign_in_link(origin, link)
                    )
                await embedded.run_up(Settings(database_url=url), auth, host, port)

    run(main())


@click.command()
@click.argument("service", type=click.Choice(sorted(distributed.WORKERS)))
@click.option("--kafka", "kafka", required=True, envvar="KAFKA_BOOTSTRAP_SERVERS")
@click.option("--database-url", required=True, envvar="DATABASE_URL")
@click.option("--log-level", type=LOG_LEVELS, default="info", show_default=True)
@click.option(
    "--health-port",
    type=int,
    help="Serve GET /healthz on this port (503 once a consumer has stalled). Default: off.",
)
@click.option("--health-host", default="127.0.0.1", show_default=True)
def worker(
    service: str,
    kafka: str,
    database_url: str,
    log_level: str,
    health_port: int | None,
    health_host: str,
) -> None:
    """Distributed mode: run one service's Kafka consumers."""
    configure(log_level)
    health = HealthEndpoint(health_host, health_port) if health_port is not None else None
    try:
        distributed.run_worker(
            service, Settings(database_url=database_url, kafka_bootstrap=kafka), log_level, health
        )
    except StartupError as error:
        raise click.ClickException(str(error)) from None


@click.command()
@click.option("--kafka", "kafka", required=True, envvar="KAFKA_BOOTSTRAP_SERVERS")
@click.option("--database-url", required=True, envvar="DATABASE_URL")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--log-level", type=LOG_LEVELS, default="info", show_default=True)
def api(kafka: str, database_url: str, host: str, port: int, log_level: str) -> None:
    """Distributed mode: the GraphQL API, submitting into Kafka."""
    configure(log_level)

    async def main() -> None:
        # Inside _run: a bad VENDORWATCH_KAFKA_* setting is one line, not a traceback.
        settings = Settings(database_url=database_url, kafka_bootstrap=kafka)
        await distributed.run_api(settings, auth_config(os.environ, None), host, port)

    run(main())
